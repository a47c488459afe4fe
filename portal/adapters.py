"""allauth hooks: whether public sign-up is open, and how too many failed sign-ins are answered."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.core.exceptions import ValidationError


class AccountAdapter(DefaultAccountAdapter):
    """Parents/carers and professionals sign up themselves (the sign-up form offers only those
    roles); staff accounts are created by administrators in the Wagtail admin."""

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)

    def pre_authenticate(self, request, **credentials):
        """Over the failed sign-in limit (ACCOUNT_RATE_LIMITS["login_failed"]) answer 429 with a
        page that says to wait, like every other limit on the site. allauth's default is a form
        error with status 200, which reads like one more wrong password and invites guessing."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise
