"""allauth hooks: whether public sign-up is open, who is asking (behind our proxy), how too
many failed sign-ins are answered, and what allauth's emails say, where their links point and
how many one address can be sent."""

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from . import ratelimit

logger = logging.getLogger(__name__)

# allauth emails that anyone can cause to be sent to an address they type, before anyone has
# shown it is theirs (sign-up, "account already exists", password reset, unknown account, codes).
# Together they are limited per address (ACCOUNT_EMAILS_PER_ADDRESS an hour): past that nothing
# more is sent and the page says what it always says, so the forms cannot flood a mailbox and
# the answer never shows whether an address has an account.
UNPROVEN_ADDRESS_EMAILS = frozenset(
    {
        "account/email/email_confirmation_signup",
        "account/email/email_confirmation",
        "account/email/account_already_exists",
        "account/email/unknown_account",
        "account/email/password_reset_key",
        "account/email/password_reset_code",
        "account/email/login_code",
    }
)


@dataclass(frozen=True)
class EmailSite:
    """What allauth's templates get as `current_site`. Without django.contrib.sites allauth
    makes one from the request's Host header ("Hello from 127.0.0.1:8102!")."""

    name: str
    domain: str


def site_name() -> str:
    return settings.WAGTAIL_SITE_NAME


def site_url(path: str = "/") -> str:
    """An address on the public site, from SITE_BASE_URL: never from the request's Host."""
    return settings.SITE_BASE_URL.rstrip("/") + path


def _on_site(url: str) -> str:
    """The same path and query on SITE_BASE_URL, for a link allauth built from the request."""
    parts = urlsplit(url)
    return site_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))


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

    # --- Emails ------------------------------------------------------------------------------

    def format_email_subject(self, subject):
        """Every subject starts with the site's own name, never the request's host."""
        return f"{site_name()}: {subject}"

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_account_already_exists_mail(self, email):
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "login_url": site_url(reverse("account_login")),
                "password_reset_url": site_url(reverse("account_reset_password")),
            },
        )

    def send_mail(self, template_prefix, email, context):
        """Send one of allauth's emails in our words (portal/templates/account/email/), with
        every link on SITE_BASE_URL. Links allauth builds itself from the request (the sign-up
        link in "unknown account") are moved onto it too, so a forged Host header can never
        put an attacker's address into our email. The templates use no text a visitor typed:
        not the first name, not the organisation, not the browser's user agent."""
        if template_prefix in UNPROVEN_ADDRESS_EMAILS and not ratelimit.allow(
            scope="account-email-to",
            client=str(email).strip().lower(),
            limit=settings.ACCOUNT_EMAILS_PER_ADDRESS,
            window=3600,
        ):
            logger.info(
                "Not sending %s: this address has had enough account emails this hour", template_prefix
            )
            return
        context = dict(context)
        for key, value in list(context.items()):
            if key.endswith("_url") and isinstance(value, str) and value.startswith(("http://", "https://")):
                context[key] = _on_site(value)
        context.setdefault("password_reset_url", site_url(reverse("account_reset_password")))
        context.update(
            current_site=EmailSite(name=site_name(), domain=urlsplit(settings.SITE_BASE_URL).netloc),
            site_name=site_name(),
            site_url=site_url(),
            user_agent="",
        )
        super().send_mail(template_prefix, email, context)
