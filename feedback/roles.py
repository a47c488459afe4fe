"""Feedback permissions per role, given to the role groups by `portal.services.roles_sync()`.

Only the safeguarding lead may read original (unredacted) text and contact details
(`feedback.view_original_text`); the engagement team triages redacted text only.
"""

from portal.roles import Role

_TRIAGE = [
    "feedback.view_feedbackitem",
    "feedback.change_feedbackitem",
    "feedback.add_feedbackitem",
    "feedback.triage_feedbackitem",
    "feedback.view_theme",
    "feedback.add_theme",
    "feedback.change_theme",
    "feedback.view_school",
    "feedback.add_school",
    "feedback.change_school",
    "feedback.view_objectivetag",
    "feedback.change_objectivetag",
    "feedback.view_triagenote",
    "feedback.add_triagenote",
    "feedback.view_auditentry",
]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: _TRIAGE,
    Role.SAFEGUARDING_LEAD: [
        "feedback.view_feedbackitem",
        "feedback.view_original_text",
        "feedback.view_feedbackoriginal",
        "feedback.view_safeguardingalert",
        "feedback.change_safeguardingalert",
        "feedback.view_auditentry",
        "feedback.view_triagenote",
        "feedback.add_triagenote",
    ],
    Role.ADMINISTRATOR: [
        *_TRIAGE,
        "feedback.delete_theme",
        "feedback.delete_school",
        "feedback.delete_feedbackitem",
    ],
}
