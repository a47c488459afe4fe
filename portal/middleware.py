"""Request middleware: NULs in query strings, security headers, and the 503 page when the
database is unavailable. (Staff two-factor is in `portal.two_factor`.)"""

import logging

from django.http import HttpResponse

logger = logging.getLogger(__name__)


class QueryStringNulMiddleware:
    """Remove NUL characters from query-string values before any view sees them.

    Query strings carry filters and codes, never a person's words, so dropping a NUL loses
    nothing; left in, PostgreSQL rejects it and the page would fail. Form bodies are left to
    the forms, which reject NULs with a clear message and keep what was typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(key, [v.replace("\x00", "") for v in cleaned.getlist(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Inline SVG charts carry their own <style>; scripts stay strictly same-origin files.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# The Wagtail admin (and its page previews, which render public templates under /admin/). Wagtail
# 8 still has inline <script>s (date pickers, inline panels, chooser modals) and inline styles,
# so 'unsafe-inline' stays for both; everything else is same-origin only, no plugins, and forms
# can post only here. Checked by tests/portal/test_admin_csp_browser.py in Chromium.
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors {frame_ancestors}",
    ]
)

# Files editors uploaded, served from /documents/: nothing in them may run or load anything,
# even when a browser renders one (a PDF, or a file whose type it guesses) in the site's origin.
DOCUMENT_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response, so that even if escaping were ever missed,
    injected script would not run: strict on public pages, the most the Wagtail admin can work
    with on /admin/, and nothing at all for uploaded documents."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers["Content-Security-Policy"] = self.policy(request, response)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    @staticmethod
    def policy(request, response) -> str:
        path = request.path
        if path.startswith("/admin/"):
            # Wagtail's preview (an iframe in the editor) is the one admin page sent as
            # SAMEORIGIN; every other admin page keeps X-Frame-Options DENY, and CSP agrees.
            framed = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
            return ADMIN_CSP.format(frame_ancestors="'self'" if framed else "'none'")
        if path.startswith("/documents/") and not _is_html_page(response):
            # Wagtail sets "default-src 'none'" on files it serves; this adds the sandbox.
            return DOCUMENT_CSP
        # Everything else, including pages Django renders under /documents/ (the password form
        # for a restricted collection, a 404): the public policy.
        return response.headers.get("Content-Security-Policy") or PUBLIC_CSP


def _is_html_page(response) -> bool:
    """A page the site rendered, not a served file (which has a Content-Disposition)."""
    return (
        "Content-Disposition" not in response
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
    )


# SQLSTATE classes meaning "unreachable or busy, try again": connection exceptions (08),
# transaction rollbacks such as a deadlock (40), insufficient resources such as too many
# connections (53), and the server shutting down or starting up (57P).
TRANSIENT_SQLSTATES = ("08", "40", "53", "57P")


def database_is_unavailable(exception) -> bool:
    """True if `exception` means the database could not do the work just now (so nothing was
    saved and trying again will help); False for errors that are bugs, such as a missing
    table or bad SQL, which must stay 500s and be fixed, not be hidden behind "try again"."""
    import sqlite3

    from django.db import InterfaceError, OperationalError

    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        return "locked" in str(cause) or "busy" in str(cause)
    sqlstate = getattr(cause, "sqlstate", None)
    # psycopg has no SQLSTATE when it cannot reach the server at all.
    return sqlstate is None or sqlstate.startswith(TRANSIENT_SQLSTATES)


def database_unavailable_response(exception) -> HttpResponse | None:
    """The 503 "not saved, try again" page if `exception` means the database is unreachable
    (restarting, failing over), else None. Used for errors in views and, through handler500,
    for errors in middleware (a session or user lookup before the view runs)."""
    from django.template.loader import render_to_string

    if not database_is_unavailable(exception):
        return None
    # Connection errors name the server and the reason (e.g. too many clients), never
    # anything a person submitted, so the message is safe to log and needed to act on it.
    logger.error("Database unavailable: %s: %s", exception.__class__.__name__, str(exception)[:300])
    # Rendered without a request context: the context processors may need the database.
    body = render_to_string("errors/503.html", {"SITE_NAME": "SEND Voice"})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """When the database is unreachable, answer 503 with a clear "try again" page. Nothing was
    saved, and the page says so: never a false success. Django drops the broken connection at
    the end of the request, so the next request reconnects by itself once the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable_response(exception)
