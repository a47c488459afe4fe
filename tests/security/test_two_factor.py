"""Staff two-factor cannot be got round (issue 18, finding 1).

Before: `POST /admin/login/` (Wagtail's own sign-in) with a staff email and password signed
the account in with no code and no sign-in limit, and the middleware only checked that the
account *had* an authenticator, so that session reached the inbox, the user list and board
packs, and could re-authenticate by password and make new recovery codes. Now every Wagtail
sign-in, sign-out and reset URL goes to allauth, and a staff session is trusted only if *this
session* passed the second factor.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from portal.roles import Role
from tests.auth import LOGIN_ROUTES, password_step, sign_in, totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STAFF_ROLES = [Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.BOARD_MEMBER, Role.ADMINISTRATOR]
# What the attacker's session reached: the inbox, the user list, a board pack, and the two
# allauth pages that turned one stolen password into a lasting takeover.
STAFF_PAGES = [
    "/admin/",
    "/admin/feedback/",
    "/admin/users/",
    "/board/",
    "/accounts/reauthenticate/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/2fa/",
]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _assert_closed(client):
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, f"{path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), (path, response["Location"])
    assert not _signed_in(client)


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_a_staff_password_alone_signs_in_nowhere(client, site, make_user, route):
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    # The Wagtail form's own field names, posted straight at the route.
    response = client.post(
        route, {"username": staff.email, "password": PASSWORD, "login": staff.email, "remember": "on"}
    )
    assert not _signed_in(client)
    if route != "/accounts/login/":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    _assert_closed(client)


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_every_sign_in_route_asks_staff_for_the_code(client, site, make_user, route):
    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    response = password_step(client, staff, via=route)
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert not _signed_in(client)
    _assert_closed(client)
    # A wrong code does not do either.
    client2 = Client()
    password_step(client2, staff, via=route)
    assert client2.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    assert not _signed_in(client2)
    # The right one does, and staff pages open.
    client3 = Client()
    sign_in(client3, staff, via=route)
    assert client3.get("/admin/feedback/").status_code == 200


def test_wagtail_login_cannot_be_used_to_guess_passwords(client, site, make_user):
    """Twelve wrong passwords then the right one were all accepted by /admin/login/. Now the
    route answers nothing but a redirect, and the guesses never reach a password check."""
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    for _ in range(12):
        response = client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    response = client.post(
        "/admin/login/?next=/admin/users/", {"username": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/login/?next=/admin/users/"
    assert not _signed_in(client)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_session_without_the_second_factor_is_signed_out_everywhere(client, site, make_user, role):
    """The session the old Wagtail login made (Django's authenticate + login: no allauth
    records) is what `client.login` makes. Any request it sends is signed out, on staff pages
    and public ones alike, so nothing can be done with it."""
    staff = make_user(role, totp=True)
    assert client.login(username=staff.email, password=PASSWORD)
    assert _signed_in(client)
    response = client.get("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Faccounts%2F2fa%2Frecovery-codes%2Fgenerate%2F"
    assert not _signed_in(client)
    assert client.login(username=staff.email, password=PASSWORD)
    assert client.get("/").status_code == 302 and not _signed_in(client)
    assert client.login(username=staff.email, password=PASSWORD)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not _signed_in(client)
    _assert_closed(client)


def test_recovery_codes_cannot_be_made_without_passing_the_code(client, site, make_user):
    from allauth.mfa.models import Authenticator

    staff = make_user(Role.ADMINISTRATOR, totp=True)
    assert client.login(username=staff.email, password=PASSWORD)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/recovery-codes/generate/", {})
    assert not Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    # After the real second factor the owner can.
    sign_in(client, staff)
    assert client.get("/accounts/2fa/recovery-codes/generate/").status_code in (200, 302)


def test_public_accounts_are_not_affected(client, site, make_user):
    parent = make_user(Role.PARENT_CARER)
    sign_in(client, parent)
    assert client.get("/account/home/").status_code == 200
    assert _signed_in(client)


@pytest.mark.django_db(transaction=True)
def test_staff_without_an_authenticator_set_one_up_and_keep_their_session(client, site, make_user):
    """First sign-in of a new staff account: sent to set up the authenticator; entering a
    code there counts as passing the second factor, so they are not thrown out after it.
    (Transactional: allauth announces the new authenticator on commit, as in production.)"""
    from allauth.mfa.totp.internal.auth import hotp_value

    staff = make_user(Role.ENGAGEMENT_TEAM)
    response = sign_in(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before an authenticator is added.
    response = client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    import time

    code = f"{hotp_value(secret, int(time.time()) // 30):06}"
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _signed_in(client)
    assert client.get("/admin/feedback/").status_code == 200


def test_admin_logout_really_ends_the_session(client, site, make_user):
    """GET /admin/logout/ said "logged out" while the session went on working."""
    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    sign_in(client, staff)
    session_cookie = client.cookies["sessionid"].value
    response = client.get("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/logout/"
    assert "logged out" not in client.get("/accounts/logout/").content.decode().lower()
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert not _signed_in(client)
    # The old session cookie is dead, not merely forgotten by this browser.
    stolen = Client()
    stolen.cookies["sessionid"] = session_cookie
    assert stolen.get("/admin/feedback/").status_code == 302
    # allauth's own sign-out works too.
    sign_in(client, staff)
    client.post("/accounts/logout/")
    assert not _signed_in(client)


def test_admin_logout_post_needs_the_csrf_token(site, make_user):
    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    client = Client()
    sign_in(client, staff)
    client.handler.enforce_csrf_checks = True
    assert client.post("/admin/logout/").status_code == 403
    assert _signed_in(client)


def test_wagtail_password_reset_is_gone_and_sends_nothing(client, site, make_user, settings):
    """Wagtail's reset had no limit (8 requests, 8 emails) and was a second reset route."""
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    assert settings.WAGTAIL_PASSWORD_RESET_ENABLED is False
    for path in (
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/set-password/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/"
    for _ in range(8):
        client.post("/admin/password_reset/", {"email": staff.email})
    assert mail.outbox == []


def test_admin_never_sends_staff_addresses_to_an_avatar_service(client, site, make_user, settings):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    sign_in(client, staff)
    html = client.get("/admin/").content.decode()
    assert "gravatar" not in html.lower()


def test_the_code_cannot_be_replayed_for_a_second_session(site, make_user):
    """allauth refuses a TOTP code already used in its period: an attacker who watched one
    sign-in cannot reuse the code."""
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    first, second = Client(), Client()
    code = totp_code(staff)
    password_step(first, staff)
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    password_step(second, staff)
    response = second.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200 and not _signed_in(second)
