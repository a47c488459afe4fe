"""Youth forum permissions per role (gathered by `portal.services.roles_sync`).

The engagement team are the forum's moderators: they approve members, moderate views and run
prompts, votes, meetings and the terms of reference in the Wagtail admin. Young people need no
model permissions: what a member may see is decided by `youthforum.selectors`.
"""

from portal.roles import Role

_CONTENT = ("prompt", "voteround", "topic", "meeting", "termsversion")

ENGAGEMENT = [
    *[f"youthforum.{action}_{model}" for model in _CONTENT for action in ("add", "change", "view")],
    "youthforum.view_member",
    "youthforum.view_view",
    "youthforum.view_termscomment",
    "youthforum.moderate_forum",
]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: ENGAGEMENT,
    Role.ADMINISTRATOR: [*ENGAGEMENT, *[f"youthforum.delete_{model}" for model in _CONTENT]],
}
