"""Permissions the CMS needs per role (editors publish pages)."""

from portal.roles import Role

_EDITOR = [
    "wagtailadmin.access_admin",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]

# Newsletter sign-ups hold email addresses: the team may see and correct them, only
# administrators delete.
_NEWSLETTER = ["cms.view_newslettersubscription", "cms.change_newslettersubscription"]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: [*_EDITOR, *_NEWSLETTER],
    Role.ADMINISTRATOR: [*_EDITOR, *_NEWSLETTER, "cms.delete_newslettersubscription"],
}
