"""Youth forum settings, read from the environment with safe defaults."""

from portal.conf import setting_int as _int

# The consent wording parents and carers agree to. A new wording gets a new version key; the
# version shown is stored with every consent, so we can always say what was agreed.
CONSENT_WORDING_VERSION = "2026-11"
CONSENT_WORDING = {
    "2026-11": [
        "I am the parent or carer of this young person.",
        "I agree that they can join the Oxfordshire SEND youth forum.",
        "They will answer questions, vote on what matters most and read what changed.",
        "We only keep their first name or nickname and their age group. Nothing they write is shown "
        "with their name.",
        "If what they write makes us worried about their safety, a safeguarding lead will see it.",
        "They, or you, can ask us to delete their data at any time by leaving the forum.",
    ],
}


def consent_expiry_days() -> int:
    """Consent requests nobody answered are expired (and the waiting member erased) after this."""
    return _int("YOUTHFORUM_CONSENT_EXPIRY_DAYS", 30)


def rejected_retention_days() -> int:
    return _int("YOUTHFORUM_REJECTED_RETENTION_DAYS", 30)


def pending_retention_days() -> int:
    """A request to join that no moderator approved or turned down is erased after this."""
    return _int("YOUTHFORUM_PENDING_RETENTION_DAYS", 90)


def sign_in_link_days() -> int:
    return _int("YOUTHFORUM_SIGN_IN_LINK_DAYS", 7)


def rate_limit() -> tuple[int, int]:
    """Joins and sign-in-link requests allowed per client per hour: each sends an email, so the
    forms must not become a way to flood someone's inbox."""
    return _int("YOUTHFORUM_RATE_LIMIT", 10), 3600


def emails_per_address() -> int:
    """Consent requests, and separately sign-in links, one address can be sent in an hour, from
    any connection. Past it nothing more is sent and the page says the same as usual, so the
    forms cannot flood someone's inbox or show whether an address is known."""
    return _int("YOUTHFORUM_EMAILS_PER_ADDRESS", 3)
