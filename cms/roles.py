"""Permissions the CMS needs per role (editors publish pages)."""

from portal.roles import Role

_EDITOR = ["wagtailadmin.access_admin", "wagtailimages.add_image", "wagtailimages.change_image",
           "wagtailimages.choose_image", "wagtaildocs.add_document", "wagtaildocs.change_document",
           "wagtaildocs.choose_document"]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: _EDITOR,
    Role.ADMINISTRATOR: _EDITOR,
}
