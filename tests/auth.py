"""Signing people in as the site really does, for tests.

Staff must pass the second factor in the session itself (portal.two_factor), so a test that
needs a staff session goes through allauth: the password step at a real sign-in URL, then the
TOTP code. `client.force_login` makes a session with no authentication records, which the
middleware rightly signs out for any staff account with an authenticator.
"""

from __future__ import annotations

from django.core.cache import cache

from tests.factories import PASSWORD

LOGIN_ROUTES = ("/accounts/login/", "/admin/login/", "/_util/login/")


def totp_code(user) -> str:
    from portal.demo import totp_current_code

    code = totp_current_code(user.totp_secret)
    # allauth refuses a code used once already in its 30 s period (replay protection); a test
    # that signs the same person in twice within a period would otherwise fail at random.
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


def password_step(client, user, *, via: str = "/accounts/login/", password: str = PASSWORD):
    """POST the password to `via`, following Wagtail's routes through to allauth's form."""
    response = client.get(via, follow=True)
    login_path = response.request["PATH_INFO"]
    return client.post(login_path, {"login": user.email, "password": password, "username": user.email})


def sign_in(client, user, *, via: str = "/accounts/login/", password: str = PASSWORD):
    """Sign `user` in for real; staff with an authenticator also enter the current code.
    Returns the last response."""
    response = password_step(client, user, via=via, password=password)
    if response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]:
        for _ in range(2):
            response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
            # A code read just before its 30 s period ends is refused just after: a person
            # would type the new one, and so does the test.
            if response.status_code == 302:
                break
    assert response.status_code == 302, (
        f"sign-in of {user.email} at {via} failed: {response.status_code} {response.request['PATH_INFO']}"
    )
    assert "_auth_user_id" in client.session, f"{user.email} is not signed in"
    return response
