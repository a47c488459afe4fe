"""Permissions each role holds on survey data (gathered by `portal.services.roles_sync`).

The engagement team builds surveys, sends invitations, reads results and exports without
personal data; administrators can do everything, including seeing invitation details in
exports; board members get no raw survey data (they see suppressed results in board packs).
"""

from portal.roles import Role

_MODELS = ("survey", "question", "surveyversion", "invitation", "response", "answer")

ENGAGEMENT = [
    "surveys.add_survey",
    "surveys.change_survey",
    "surveys.view_survey",
    "surveys.add_question",
    "surveys.change_question",
    "surveys.delete_question",
    "surveys.view_question",
    "surveys.view_surveyversion",
    "surveys.add_invitation",
    "surveys.view_invitation",
    "surveys.view_response",
    "surveys.view_answer",
    "surveys.view_results",
    "surveys.export_responses",
    "surveys.send_invitations",
]

ROLE_PERMISSIONS = {
    Role.ENGAGEMENT_TEAM: ENGAGEMENT,
    Role.ADMINISTRATOR: [
        *[f"surveys.{action}_{model}" for model in _MODELS for action in ("add", "change", "delete", "view")],
        "surveys.view_results",
        "surveys.export_responses",
        "surveys.send_invitations",
        "surveys.view_personal_data",
    ],
}
