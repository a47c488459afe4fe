"""Staff must set up two-factor authentication before any staff page.

Staff roles can see unredacted and non-public data; a leaked password alone must not be enough.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .roles import user_is_staff_role
from .selectors import user_has_totp

STAFF_PATH_PREFIXES = ("/admin/", "/staff/", "/board/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(STAFF_PATH_PREFIXES)
            and (user_is_staff_role(user) or user.is_staff or user.is_superuser)
            and not user_has_totp(user)
        ):
            messages.warning(
                request,
                "Set up two-factor authentication before you use staff pages.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
