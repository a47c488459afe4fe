"""Staff must pass the second factor in *this session*, not merely own an authenticator.

Staff roles see unredacted and non-public data, so a leaked password alone must never be
enough (docs/decisions/0002-staff-two-factor.md). Two rules, both checked on every request:

- a staff account with no authenticator yet is sent to set one up before any staff page;
- a staff account that has one is signed in only if this session's authentication records
  (kept by allauth at each sign-in step) include the second factor. A session made any other
  way (a password-only sign-in route, a forged or old session) is signed out at once, on every
  path, so it cannot reach the admin, re-authenticate, or make new recovery codes.
"""

import logging
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .roles import user_is_staff_role
from .selectors import user_has_totp

logger = logging.getLogger(__name__)

STAFF_PATH_PREFIXES = ("/admin/", "/staff/", "/board/")


def user_needs_two_factor(user) -> bool:
    return bool(user_is_staff_role(user) or user.is_staff or user.is_superuser)


def session_passed_second_factor(request, user) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def record_enrolment(sender, request=None, user=None, authenticator=None, **kwargs):
    """Setting up an authenticator proves a current code (allauth's activation form checks
    one), so the session that did it counts as having passed the second factor."""
    from allauth.account.internal.flows.login import record_authentication

    if request is not None and user is not None and authenticator is not None:
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
        )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user_needs_two_factor(user):
            return self.get_response(request)
        if not user_has_totp(user):
            if request.path.startswith(STAFF_PATH_PREFIXES):
                messages.warning(request, "Set up two-factor authentication before you use staff pages.")
                return redirect(reverse("mfa_activate_totp"))
            return self.get_response(request)
        if not session_passed_second_factor(request, user):
            # Never log the path's query or the account's address: only that it happened.
            logger.warning("Signed out a staff session without a second factor (user id %s)", user.pk)
            logout(request)
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse("account_login") + (f"?{query}" if query else ""))
        return self.get_response(request)
