"""Retention for surveys, run nightly by `portal.tasks.enforce_retention` (periods in
`surveys.conf`):

- invitation emails, names and references are erased SURVEYS_INVITATION_RETENTION_DAYS (90)
  after the invitation expired;
- unfinished drafts (with any resume email) are deleted SURVEYS_DRAFT_RETENTION_DAYS (60) after
  they were last touched;
- resume emails are cleared once a response is submitted (the next run after submission);
- free-text answers (and "other, please say" text) are replaced by their redacted text
  SURVEYS_FREE_TEXT_RETENTION_DAYS (365) after submission. Until then they are kept as typed,
  like an original feedback text, because they feed the feedback pipeline and the exports of
  people allowed to see personal data; after it only the redacted text remains, which is what
  every results screen shows anyway. Choice, scale and number answers hold nothing personal
  once the invitation is erased, and are kept for results and KPIs.
"""


def enforce(now) -> dict[str, int]:
    from .services import retention_apply

    return retention_apply(now=now)
