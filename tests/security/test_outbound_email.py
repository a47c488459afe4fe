"""Issue 19 item 1 and issue 18 item 9: the service must not be a way to send words of a
stranger's choosing from the council's address, nor links to a host of their choosing.

Every email a stranger can cause to be sent to an address nobody has proven is theirs is
triggered here through the real pages, with attacker text in every field they can type and a
forged Host header; the email must carry none of it, and every link in it must start with
SITE_BASE_URL. Then the per-address limits: the email past the limit is not sent, and the page
says exactly what it says the first time (so it reveals nothing).
The list of every email the service sends is in docs/operations.md ("Emails the service sends").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from portal.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PHISH = "CLICK http://phish.example NOW"
EVIL = {"HTTP_HOST": "evil.example"}
NEW_PASSWORD = "a-long-pass-phrase-9"  # noqa: S105


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s>]+", text)


def assert_clean(message, *typed: str) -> None:
    """No typed text, no forged host, no "Hello from", every link on SITE_BASE_URL."""
    whole = f"{message.subject}\n{message.body}"
    for words in typed:
        assert words not in whole, (words, whole)
    for words in ("phish", "evil.example", "hello from"):
        assert words not in whole.lower(), (words, whole)
    links = _links(message.body)
    assert links, message.body
    base = settings.SITE_BASE_URL.rstrip("/") + "/"
    assert all(link.startswith(base) for link in links), links


def _path(link: str) -> str:
    return link.removeprefix(settings.SITE_BASE_URL.rstrip("/"))


def _page(response) -> str:
    """The page without its per-response CSRF token, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# --- allauth: sign-up, "account already exists", password reset, unknown account -------------


def test_signup_confirmation_carries_none_of_the_typed_text(client, site):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new-person@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": "professional",
            "first_name": "Visit phish.example",
            "organisation": PHISH,
        },
        **EVIL,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new-person@example.org"]
    assert_clean(message, "Visit phish.example", PHISH)
    assert message.subject == f"{settings.WAGTAIL_SITE_NAME}: Confirm your email address"
    assert "create an account on SEND Voice" in message.body
    # The link works, on the real site.
    [link] = [u for u in _links(message.body) if "/confirm-email/" in u]
    assert client.post(_path(link)).status_code == 302
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="new-person@example.org").verified


def test_signup_with_a_known_address_tells_its_owner_without_the_typed_text(client, site, make_user):
    owner = make_user(Role.PARENT_CARER)
    response = client.post(
        "/accounts/signup/",
        {
            "email": owner.email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": "parent_carer",
            "first_name": PHISH,
        },
        **EVIL,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert_clean(message, PHISH)
    assert "You already have an account" in message.body


def test_password_reset_link_is_on_site_base_url_not_the_host(client, site, make_user):
    user = make_user(Role.PARENT_CARER)
    response = client.post("/accounts/password/reset/", {"email": user.email}, **EVIL)
    assert response.status_code == 302
    [message] = mail.outbox
    assert_clean(message)
    assert message.subject == f"{settings.WAGTAIL_SITE_NAME}: Reset your password"
    [link] = [u for u in _links(message.body) if "/password/reset/key/" in u]
    assert client.get(_path(link)).status_code == 302  # allauth moves the key into the session


def test_password_reset_for_an_unknown_address_sends_our_words_and_links(client, site):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, **EVIL)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["nobody@example.org"]
    assert_clean(message)
    assert "There is no account with this email address" in message.body
    assert f"{settings.SITE_BASE_URL}/accounts/signup/" in message.body


def test_account_notifications_carry_no_browser_text_or_host(client, site, make_user, settings):
    """If notifications are switched on, they must not repeat the User-Agent header either: it is
    free text whoever made the change chose."""
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    user = make_user(Role.PARENT_CARER)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        HTTP_USER_AGENT=PHISH,
        **EVIL,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [user.email]
    assert_clean(message, PHISH)
    assert "password for your SEND Voice account was changed" in message.body


def test_every_allauth_email_template_is_in_our_words():
    """A template allauth adds in an upgrade would fall back to its own ("Hello from <host>!",
    "user <first name> has given your email address"): each must have our version, and ours
    use nothing a visitor typed and nothing taken from the request."""
    import allauth
    from django.template.loader import get_template

    shipped = Path(allauth.__file__).parent / "templates"
    ours = Path(settings.BASE_DIR) / "portal" / "templates"
    names = sorted(
        str(p.relative_to(shipped))
        for folder in ("account/email", "mfa/email")
        for p in (shipped / folder).glob("*.txt")
    )
    assert len(names) > 20
    for name in names:
        assert Path(get_template(name).origin.name) == ours / name, name
        text = (ours / name).read_text()
        for risky in (
            "user_display",
            "user_agent",
            "current_site",
            "request",
            "first_name",
            "organisation",
            "username",
            "Hello from",
        ):
            assert risky not in text, (name, risky)


# --- Youth forum ---------------------------------------------------------------------------------


def test_youth_forum_consent_email_names_the_service_not_the_nickname(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/youth-forum/join/",
            {
                "nickname": PHISH,
                "age_band": "13-15",
                "contact_email": "someone@example.org",
            },
            **EVIL,
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["someone@example.org"]
    assert_clean(message, PHISH)
    assert "youth forum" in message.subject and "consent" in message.subject
    assert "aged 13 to 15" in message.body
    # The page behind the link says who asked: that is on our site, not in an email.
    [link] = _links(message.body)[:1]
    assert "Can CLICK http://phish.example NOW join" in client.get(_path(link)).content.decode()


def test_youth_forum_sign_in_link_email_carries_no_nickname(
    client, site, make_user, django_capture_on_commit_callbacks
):
    from youthforum import services

    member = services.member_join(nickname=PHISH, age_band="16-17", contact_email="someone@example.org")
    services.member_approve(member=member, actor=make_user(Role.ENGAGEMENT_TEAM))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/youth-forum/sign-in/", {"email": "someone@example.org"}, **EVIL)
    assert "Check your email" in response.content.decode()
    [message] = mail.outbox
    assert_clean(message, PHISH)
    assert "aged 16 to 17" in message.body


# --- Feedback replies ------------------------------------------------------------------------------


def test_reply_to_feedback_carries_no_typed_name(site, django_capture_on_commit_callbacks):
    """The name and address on the public feedback form are a stranger's: when an update answers
    the feedback, the reply must not greet them by the name they typed. (The item is made as
    the pipeline leaves it, with the name the form stores: the pipeline itself is slow here.)"""
    from cms.models import YouSaidWeDidIndexPage
    from feedback.models import FeedbackOriginal
    from tests.cms.conftest import make_item, publish_update

    item = make_item("The wait was too long.", contact_email="someone@example.org", wants_reply=True)
    FeedbackOriginal.objects.filter(item=item).update(contact_name=PHISH)
    from cms.services import yswd_replies_start

    with django_capture_on_commit_callbacks(execute=True):
        page = publish_update(YouSaidWeDidIndexPage.objects.get(), items=[item], status="done")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # staff check the replies, then send
        yswd_replies_start(page=page, actor=None, previewed_revision=page.live_revision_id, previewed_count=1)
    [message] = mail.outbox
    assert message.to == ["someone@example.org"]
    assert_clean(message, PHISH)


# --- Surveys -------------------------------------------------------------------------------------


@pytest.fixture
def open_survey(db):
    from surveys.models import Audience
    from surveys.questions import Kind
    from surveys.services import survey_create

    return survey_create(
        title="One question",
        slug="one-question",
        audience=Audience.PARENT_CARER,
        intro="Short.",
        privacy_notice="Kept for 2 years.",
        questions=[{"key": "agree", "kind": Kind.LIKERT, "text": "Things are good"}],
    )


def test_survey_resume_link_is_on_site_base_url_on_the_page_and_in_the_email(
    client, site, open_survey, django_capture_on_commit_callbacks
):
    assert client.post("/surveys/one-question/", **EVIL).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/surveys/one-question/save/", {"email": "me@example.org"}, **EVIL)
    html = response.content.decode()
    assert "evil.example" not in html
    shown = re.search(r'id="resume-link" href="([^"]+)"', html).group(1)
    assert shown.startswith(settings.SITE_BASE_URL + "/surveys/")
    [message] = mail.outbox
    assert_clean(message)
    assert shown in message.body


# --- Per-address limits: past them nothing is sent, and the page is the same -------------------


def test_account_emails_to_one_address_stop_at_the_limit_and_the_page_is_the_same(client, site):
    per_address = settings.ACCOUNT_EMAILS_PER_ADDRESS
    answers = []
    for n in range(per_address + 2):
        response = client.post(
            "/accounts/password/reset/", {"email": "victim@example.org"}, REMOTE_ADDR=f"10.9.0.{n + 1}"
        )
        answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(302, "/accounts/password/reset/done/")}
    assert len(mail.outbox) == per_address
    # The budget is shared by every account email to that address: sign-up sends nothing more.
    client.post(
        "/accounts/signup/",
        {
            "email": "victim@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": "parent_carer",
        },
        REMOTE_ADDR="10.9.1.1",
    )
    assert len(mail.outbox) == per_address
    # Another address is not affected.
    client.post("/accounts/password/reset/", {"email": "other@example.org"}, REMOTE_ADDR="10.9.2.1")
    assert mail.outbox[-1].to == ["other@example.org"]


def test_youth_forum_consent_emails_to_one_address_stop_at_the_limit(
    client, site, django_capture_on_commit_callbacks
):
    from youthforum import conf
    from youthforum.models import ConsentRequest

    per_address = conf.emails_per_address()
    pages = []
    for n in range(per_address + 1):
        client.cookies.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/youth-forum/join/",
                {
                    "nickname": f"Sam{n}",
                    "age_band": "11-12",
                    "contact_email": "Parent@example.org",
                },
                REMOTE_ADDR=f"10.8.0.{n + 1}",
            )
        assert response.status_code == 302 and response["Location"] == "/youth-forum/join/done/"
        pages.append(_page(client.get(response["Location"])).replace(f"Sam{n}", "NAME"))
    assert pages[-1] == pages[0]
    assert len(mail.outbox) == per_address
    assert ConsentRequest.objects.filter(sent_at__isnull=True).count() == 1  # recorded, not sent


def test_youth_forum_sign_in_links_to_one_address_stop_at_the_limit(
    client, site, make_user, django_capture_on_commit_callbacks
):
    from youthforum import conf, services

    member = services.member_join(nickname="Robin", age_band="16-17", contact_email="carer@example.org")
    services.member_approve(member=member, actor=make_user(Role.ENGAGEMENT_TEAM))
    per_address = conf.emails_per_address()
    mail.outbox.clear()
    pages = set()
    for n in range(per_address + 2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/youth-forum/sign-in/", {"email": "carer@example.org"}, REMOTE_ADDR=f"10.7.0.{n + 1}"
            )
        assert response.status_code == 200
        pages.add(_page(response))
    assert len(pages) == 1 and "Check your email" in pages.pop()
    assert len(mail.outbox) == per_address
