"""allauth hooks: whether public sign-up is open."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Parents/carers and professionals sign up themselves (the sign-up form offers only those
    roles); staff accounts are created by administrators in the Wagtail admin."""

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)
