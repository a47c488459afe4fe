"""Board-pack settings, read from Django settings or the environment with safe defaults. The
small-number threshold is not here: it is the one `SMALL_NUMBER_THRESHOLD` of every surface
(`portal.disclosure`)."""

from datetime import date

from portal.conf import setting_dates, setting_float


def trend_periods() -> int:
    return 6


def quotes_per_objective() -> int:
    return 3


def top_themes() -> int:
    return 3


def extra_closed_days() -> frozenset[date]:
    """Office closures on top of bank holidays (comma-separated ISO dates), which move the
    first working day of a month."""
    return setting_dates("BOARDPACKS_EXTRA_CLOSED_DAYS")


def minimum_share() -> float:
    """A group giving less than this share of the voices heard is flagged as under-heard."""
    return setting_float("BOARDPACKS_MINIMUM_SHARE", 0.1)
