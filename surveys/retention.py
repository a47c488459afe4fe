"""Retention for surveys, run nightly by `portal.tasks.enforce_retention`: invitation emails,
names and references are erased after expiry plus a period, unfinished drafts deleted, and
resume emails cleared once a response is submitted (periods in `surveys.conf`)."""


def enforce(now) -> dict[str, int]:
    from .services import retention_apply

    return retention_apply(now=now)
