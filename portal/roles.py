"""The roles people hold on the platform, and the permissions each role carries.

Roles are Django groups (created by migration `0002_roles`). Each app lists the permissions its
models need per role in its own `roles.py` (`ROLE_PERMISSIONS`); `roles_sync()` in
`portal.services` gathers them after every migrate, because permissions for a new model only
exist once that model's migration has run.
"""

from django.db import models


class Role(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"
    ENGAGEMENT_TEAM = "engagement_team", "Engagement team"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    BOARD_MEMBER = "board_member", "Board member"
    ADMINISTRATOR = "administrator", "Administrator"


# These roles see non-public data, so they must use two-factor authentication.
STAFF_ROLES = frozenset({Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.BOARD_MEMBER, Role.ADMINISTRATOR})
# Roles that work inside the Wagtail admin.
ADMIN_SITE_ROLES = frozenset({Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.ADMINISTRATOR})
# Roles people may choose for themselves when signing up.
SELF_SIGNUP_ROLES = (Role.PARENT_CARER, Role.PROFESSIONAL)

PLAN_EDIT = [
    f"portal.{action}_{model}"
    for model in ("plan", "priorityarea", "objective", "ratingentry", "kpi", "kpireading")
    for action in ("add", "change", "view")
]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: ["wagtailadmin.access_admin", *PLAN_EDIT],
    # The access log (who saw unredacted text) is for the safeguarding lead and administrators.
    Role.SAFEGUARDING_LEAD: ["wagtailadmin.access_admin", "portal.view_accesslogentry"],
    Role.ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        *PLAN_EDIT,
        "portal.delete_plan",
        "portal.delete_objective",
        "portal.delete_kpi",
        "portal.add_user",
        "portal.change_user",
        "portal.view_user",
        "portal.delete_user",
        "auth.view_group",
        "auth.change_group",
        "portal.view_accesslogentry",
    ],
}

# Every installed app's `roles.py` may contribute ROLE_PERMISSIONS (portal.registry).

# What each role can do, shown on their home page after login (plain language).
ROLE_ABILITIES = {
    Role.PARENT_CARER: [
        "Answer surveys about the support your family gets",
        "Tell us what is working and what is not",
        "See what we did about what families told us",
    ],
    Role.YOUNG_PERSON: [
        "Take part in the SEND youth forum",
        "Share your views in words or pictures",
        "See what changed because of what young people said",
    ],
    Role.PROFESSIONAL: [
        "Answer the professionals' survey",
        "Give feedback about SEND services",
        "Follow the improvement plan",
    ],
    Role.ENGAGEMENT_TEAM: [
        "Build surveys and send invitations",
        "Triage and tag feedback to plan objectives",
        "Publish 'You said, we did' updates and keep the plan up to date",
    ],
    Role.SAFEGUARDING_LEAD: [
        "Receive safeguarding alerts",
        "See unredacted text where a child may be at risk",
    ],
    Role.BOARD_MEMBER: [
        "Read the monthly board packs",
        "Follow the improvement plan and its KPIs",
    ],
    Role.ADMINISTRATOR: [
        "Create staff accounts and give roles",
        "Manage retention settings",
        "Everything the engagement team can do",
    ],
}


def group_name(role: str) -> str:
    return Role(role).label


def user_roles(user) -> set[str]:
    """The roles a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        by_label = {r.label: r.value for r in Role}
        cached = {by_label[name] for name in user.groups.values_list("name", flat=True) if name in by_label}
        if user.is_superuser:
            cached.add(Role.ADMINISTRATOR)
        user._role_cache = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_is_staff_role(user) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)
