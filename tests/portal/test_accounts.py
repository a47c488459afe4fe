import re

import pytest
from django.core import mail

from portal.demo import totp_current_code
from portal.models import User
from portal.roles import Role, user_roles
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STAFF = [Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.BOARD_MEMBER, Role.ADMINISTRATOR]
PUBLIC = [Role.PARENT_CARER, Role.YOUNG_PERSON, Role.PROFESSIONAL]


def _login(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def _login_with_totp(client, user):
    response = _login(client, user)
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    return client.post("/accounts/2fa/authenticate/", {"code": totp_current_code(user.totp_secret)})


def test_roles_are_groups_created_by_migration():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {r.label for r in Role} <= names


def test_roles_receive_their_declared_permissions():
    from django.contrib.auth.models import Group

    engagement = Group.objects.get(name="Engagement team")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in engagement.permissions.all()}
    assert "wagtailadmin.access_admin" in perms and "portal.change_objective" in perms
    board = Group.objects.get(name="Board member")
    assert not board.permissions.filter(codename="access_admin").exists()


def test_signup_as_parent_needs_email_verification_and_gets_role(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.parent@example.org",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "role": "parent_carer",
            "first_name": "Sam",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.parent@example.org")
    assert user_roles(user) == {Role.PARENT_CARER}
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].body.lower()
    # Not verified yet: signing in asks them to confirm their email first.
    response = client.post("/accounts/login/", {"login": user.email, "password": "a-long-passphrase-1"})
    assert "/accounts/confirm-email/" in response["Location"]
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link)
    response = client.post("/accounts/login/", {"login": user.email, "password": "a-long-passphrase-1"})
    assert response.status_code == 302 and response["Location"] == "/account/home/"


def test_signup_cannot_choose_a_staff_role(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "sneaky@example.org",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "role": "engagement_team",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_signup_form_keeps_what_was_typed_on_error(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "keep.me@example.org",
            "password1": "short",
            "password2": "short",
            "role": "professional",
            "organisation": "Larkmead <b>School</b>",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'value="keep.me@example.org"' in html
    assert "Larkmead &lt;b&gt;School&lt;/b&gt;" in html


@pytest.mark.parametrize("role", PUBLIC)
def test_public_roles_log_in_and_see_what_they_can_do(client, make_user, role):
    user = make_user(role)
    response = _login(client, user)
    assert response.status_code == 302 and response["Location"] == "/account/home/"
    html = client.get("/account/home/").content.decode()
    assert f"As {Role(role).label.lower()} you can" in html
    assert client.get("/admin/").status_code == 302  # no Wagtail admin for public roles


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_totp_are_sent_to_set_it_up(client, make_user, role):
    user = make_user(role)
    _login(client, user)
    for path in ("/admin/", "/board/", "/staff/anything/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert "set up two-factor authentication" in client.get("/account/home/").content.decode()


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_totp_need_the_code_to_log_in(client, make_user, role):
    user = make_user(role, totp=True)
    response = _login_with_totp(client, user)
    assert response.status_code == 302 and response["Location"] == "/account/home/"
    html = client.get("/account/home/").content.decode()
    assert f"As {Role(role).label.lower()} you can" in html
    admin = client.get("/admin/")
    if role == Role.BOARD_MEMBER:
        assert admin.status_code == 302  # board members read packs in the portal, not the admin
    else:
        assert admin.status_code == 200


def test_wrong_totp_code_does_not_log_in(client, make_user):
    user = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    _login(client, user)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_login_is_rate_limited_with_a_clear_message(client, make_user):
    user = make_user(Role.PARENT_CARER)
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    html = response.content.decode()
    # A 429 page saying to wait (portal.adapters), like the site's other limits.
    assert response.status_code == 429 and "Too many attempts to sign in" in html
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, make_user):
    user = make_user(Role.PARENT_CARER)
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and user.email in mail.outbox[0].to


def test_staff_accounts_are_created_by_administrators(db):
    from portal.services import staff_user_create

    user = staff_user_create(
        email="Jo.Officer@Oxfordshire.gov.uk", password=None, role=Role.SAFEGUARDING_LEAD
    )
    assert user.email == "jo.officer@oxfordshire.gov.uk"
    assert user_roles(user) == {Role.SAFEGUARDING_LEAD}
    assert not user.has_usable_password()


def test_load_demo_creates_one_login_per_role_and_is_idempotent(capsys, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo")
    first = capsys.readouterr().out
    users = User.objects.count()
    call_command("load_demo")
    assert User.objects.count() == users
    for role in Role:
        assert role.label in first
    assert first.count("TOTP secret") == 4


def test_load_demo_refuses_without_debug(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_session_key_changes_at_login_so_a_planted_session_is_useless(client, make_user):
    user = make_user(Role.PARENT_CARER)
    client.get("/accounts/login/")
    client.session["planted"] = "x"
    client.session.save()
    before = client.session.session_key
    _login(client, user)
    assert client.session.session_key != before
    assert client.get("/account/home/").status_code == 200


def test_every_public_post_needs_a_csrf_token(db, site):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/feedback/",
        "/youth-forum/join/",
        "/surveys/young-people/",
    ):
        response = strict.post(path, {"x": "1"})
        assert response.status_code == 403, path
