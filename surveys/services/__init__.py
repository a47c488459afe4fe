"""Writes for surveys, one module per job:

- `publishing`: building surveys and freezing their questions as versions;
- `responses`: answering (start, save, submit once) and the resume link for a draft;
- `invitations`: single-use invitation links, their emails, reminders and unsubscribing;
- `feeding`: free-text answers into the feedback inbox, and the quick safeguarding screen;
- `personal_data`: retention, the audit of exports with personal data, subject erasure;
- `kpis`: survey answers as KPI readings;
- `tokens`: link tokens (only their hash is stored).

Called by the public views, the Wagtail admin, Celery tasks, the demo loader and management
commands alike, always as `surveys.services.<name>`. Each service takes keyword-only
arguments and validates before it saves.
"""

from .feeding import answers_at_risk, answers_feed_feedback
from .invitations import (
    ImportResult,
    invitation_create,
    invitation_find,
    invitation_send,
    invitation_state,
    invitation_unsubscribe,
    invitation_url,
    invitations_due,
    invitations_import_csv,
    reminders_due,
)
from .kpis import kpi_reading_from_surveys
from .personal_data import (
    free_text_redact,
    responses_export_audit,
    retention_apply,
    survey_subject_erase,
)
from .publishing import (
    survey_accepting,
    survey_create,
    survey_definition_build,
    survey_publish,
    survey_set_status,
)
from .responses import (
    InvitationRequired,
    SubmissionRefused,
    client_rate_limit_check,
    invitation_needed,
    response_missing,
    response_resume_email,
    response_resume_url,
    response_save_answers,
    response_start,
    response_submit,
    resume_link_send,
)
from .tokens import invitation_token, response_token, token_hash

__all__ = [
    "ImportResult",
    "InvitationRequired",
    "SubmissionRefused",
    "invitation_needed",
    "answers_at_risk",
    "answers_feed_feedback",
    "client_rate_limit_check",
    "free_text_redact",
    "invitation_create",
    "invitation_find",
    "invitation_send",
    "invitation_state",
    "invitation_token",
    "invitation_unsubscribe",
    "invitation_url",
    "invitations_due",
    "invitations_import_csv",
    "kpi_reading_from_surveys",
    "reminders_due",
    "response_missing",
    "response_resume_email",
    "response_resume_url",
    "response_save_answers",
    "response_start",
    "response_submit",
    "response_token",
    "responses_export_audit",
    "resume_link_send",
    "retention_apply",
    "survey_accepting",
    "survey_create",
    "survey_definition_build",
    "survey_publish",
    "survey_set_status",
    "survey_subject_erase",
    "token_hash",
]
