"""Masking secrets and personal words out of logged URLs: the one list of what to mask.

Several links work on their own, with no password: a survey resume link opens a family's draft
answers, a youth forum sign-in link signs a young person in, a consent link answers for a
child, and allauth's reset and confirmation links take over or confirm an account. Anyone who
reads a log line holding one (an operator, a log service, whoever gets a leaked backup) could
use it. Search terms (`q=`) are what people typed and can hold names and details.

`mask()` is used by gunicorn's access log (`config.gunicorn_logging`) and by Django's own
request logging (`MaskTokensFilter`, wired in `config.settings.base.LOGGING`). It imports
nothing from Django, so gunicorn can load it before the application.

When a URL with a token is added to any urls.py, add its prefix to TOKEN_PATHS (the
test in tests/portal/test_log_masking.py lists every token route and fails if one is missed).
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# Path prefixes followed by a token, and how many path segments the token takes. Each is matched
# anywhere in a string (a path, a request line, a Referer, or a `next=` value inside another
# URL's query string), with "/" also matched in its percent-encoded form.
TOKEN_PATHS = {
    "surveys/i": 1,  # surveys: invitation link
    "surveys/resume": 1,  # surveys: "save and come back later" (opens the draft)
    "surveys/unsubscribe": 1,  # surveys: stop reminders for an invitation
    "youth-forum/consent": 1,  # youth forum: parent/carer consent link
    "youth-forum/sign-in": 1,  # youth forum: emailed sign-in link (the bare form has none)
    "accounts/password/reset/key": 1,  # allauth: password reset (<uidb36>-<key>)
    "accounts/confirm-email": 1,  # allauth: email confirmation key
    # cms.models.NewsletterPage routes, under whatever slug editors give the page (also covers
    # surveys/unsubscribe).
    "confirm": 1,
    "unsubscribe": 1,
    # Wagtail's own reset link, <uidb64>/<token>. config/urls.py sends it to allauth and Wagtail
    # never emails one, but a pasted old link would still reach the log.
    "admin/password_reset/confirm": 2,
}

# Query parameters whose value is masked: search terms (site search at /search/, the feedback
# inbox and every Wagtail admin listing use `q`) and any token or key passed as a parameter.
MASKED_QUERY_PARAMS = ("q", "token", "key")

_SLASH = r"(?:/|%2[Ff])"
# A token segment runs to the next slash (plain or encoded), query, fragment, space or quote.
_SEGMENT = r"(?:(?!%2[Ff])[^/?#&\s\"'])+"


def _path_regex(segments: int) -> re.Pattern:
    prefixes = "|".join(
        re.escape(prefix).replace("/", _SLASH) for prefix, n in TOKEN_PATHS.items() if n == segments
    )
    token = _SEGMENT + (_SLASH + _SEGMENT) * (segments - 1)
    return re.compile("(" + _SLASH + "(?:" + prefixes + ")" + _SLASH + ")" + token)


# Longest tokens first, so a two-segment token is never half masked by a one-segment rule.
_PATH_RES = [_path_regex(n) for n in sorted(set(TOKEN_PATHS.values()), reverse=True)]
# At the start of a bare query string (gunicorn's %(q)s atom) or after ?, & or ; (also encoded,
# as in a `next=` value).
_QUERY_RE = re.compile(
    r"((?:^|[?&;]|%3[Ff]|%26)(?:" + "|".join(MASKED_QUERY_PARAMS) + r")(?:=|%3[Dd]))[^&#\s\"']*"
)


def mask(text):
    """`text` with every token path segment and search term replaced by ***; anything that is
    not a string comes back unchanged."""
    if not isinstance(text, str) or not text:
        return text
    for regex in _PATH_RES:
        text = regex.sub(r"\1" + MASK, text)
    return _QUERY_RE.sub(r"\1" + MASK, text)


class MaskTokensFilter(logging.Filter):
    """Mask tokens and search terms in a log record's message ("Not Found: /surveys/resume/…/",
    "Forbidden (CSRF token missing.): …", runserver's request lines). Put on the loggers that log
    paths (django.request, django.security.csrf, django.server) so every handler, including
    pytest's caplog and Django's mail_admins, sees the masked message, and on the console
    handler for anything else that propagates to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem to report, not ours
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
