"""allauth hooks: whether public sign-up is open, who is asking (behind our proxy), and how too
many failed sign-ins are answered."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string

from . import ratelimit


def _login_of(credentials) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    """Parents/carers and professionals sign up themselves (the sign-up form offers only those
    roles); staff accounts are created by administrators in the Wagtail admin."""

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)

    def get_client_ip(self, request):
        """The same address our own limits use: X-Forwarded-For only from TRUSTED_PROXIES."""
        return ratelimit.client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """Over the per-connection limit (ACCOUNT_RATE_LIMITS["login_failed"]) answer 429 with a
        page that says to wait, like every other limit on the site. allauth's default is a form
        error with status 200, which reads like one more wrong password and invites guessing.
        Per account we only slow down (portal.ratelimit), so nobody can lock a named person out."""
        wait = ratelimit.login_account_wait(_login_of(credentials))
        if wait:
            body = render_to_string("portal/login_slow_down.html", {"wait": wait}, request=request)
            response = HttpResponse(body, status=429)
            response["Retry-After"] = str(wait)
            raise ImmediateHttpResponse(response)
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise

    def authentication_failed(self, request, **credentials):
        ratelimit.login_account_failed(_login_of(credentials))
        super().authentication_failed(request, **credentials)
