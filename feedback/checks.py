"""System check: a live site has someone to receive safeguarding alerts."""

from django.core import checks

from .selectors import active_safeguarding_leads_exist


@checks.register(checks.Tags.database, deploy=True)
def safeguarding_lead_exists(app_configs=None, databases=None, **kwargs):
    """Production must not run without someone to receive safeguarding alerts. Tagged
    `database`, so it runs only when asked with a database (`manage.py check --deploy
    --database default`, the first-deploy step in docs/operations.md), not in CI's plain
    `check --deploy` on an empty database. A deployment check, so `migrate` (which runs the
    database checks) is not blocked on a fresh install before the first lead can exist."""
    if not databases:
        return []
    try:
        if active_safeguarding_leads_exist():
            return []
    except Exception as exc:  # no tables yet: migrate first; the check says so
        return [
            checks.Error(
                f"Could not look for a safeguarding lead ({exc.__class__.__name__}); run migrate first",
                id="feedback.E001",
            )
        ]
    return [
        checks.Error(
            "No active user holds the safeguarding lead role (with an email address): safeguarding "
            "alerts would reach only the administrators.",
            hint="Create the first safeguarding lead in the admin (Settings > Users), "
            "then run this check again.",
            id="feedback.E001",
        )
    ]
