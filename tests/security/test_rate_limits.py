"""Every public form that could be used to guess passwords, make accounts in bulk, flood the
inbox or send someone email is rate-limited, in one place.

Each test uses the limit as configured (allauth's ACCOUNT_RATE_LIMITS and the apps' conf.py),
sends that many requests normally, then one more: that one gets 429 with a plain-language page,
and nothing from it is stored. The limits count per connection (REMOTE_ADDR), so every test
also shows that someone else is not blocked.

Not rate-limited, by design: sharing a view in the youth forum (members only, one view per
question, checked by a moderator) - see the last test.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from portal.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _amount(action: str) -> int:
    """The first rate allauth applies to an action: "5/5m/ip,5/5m/key" -> 5."""
    return int(settings.ACCOUNT_RATE_LIMITS[action].split(",")[0].split("/")[0])


def _is_friendly_429(response, words: str) -> str:
    html = response.content.decode()
    assert response.status_code == 429, response.status_code
    assert words in html
    assert "govuk-heading-" in html and "<title>" in html  # the site's page, not a bare error
    return html


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Signing in -------------------------------------------------------------------------------


def test_login_policy_is_five_failures_in_five_minutes_per_connection():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "5/5m/ip"
    assert settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER == 10 and settings.LOGIN_ACCOUNT_MAX_DELAY == 60


def test_sixth_failed_login_gets_429_and_even_the_right_password_is_refused(client, site, make_user):
    user = make_user(Role.PARENT_CARER)
    for _ in range(_amount("login_failed")):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-guess"})
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    html = _is_friendly_429(response, "Too many attempts to sign in")
    assert "Wait 5 minutes" in html and "reset your password" in html
    assert not _signed_in(client)
    assert client.get("/account/home/").status_code == 302  # still sent to sign in


def test_nobody_can_lock_a_named_account_out_from_one_connection(client, site, make_user):
    """Finding 5: six wrong passwords from one address used to lock the account for everyone
    (the right password from another address got 429). The guesser's address is stopped; the
    owner, elsewhere, signs in."""
    user = make_user(Role.PARENT_CARER)
    for _ in range(_amount("login_failed") + 1):
        client.post(
            "/accounts/login/", {"login": user.email, "password": "wrong"}, REMOTE_ADDR="198.51.100.7"
        )
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    _is_friendly_429(response, "Too many attempts to sign in")
    assert not _signed_in(client)
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302 and _signed_in(client)


def test_guessing_one_account_from_many_connections_is_slowed_not_locked(
    client, site, make_user, monkeypatch
):
    """Past LOGIN_ACCOUNT_SLOWDOWN_AFTER failures from any addresses, each attempt on that
    account waits a doubling delay (capped): the page says how long, and after it the owner's
    right password works."""
    import time

    from portal import ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    user = make_user(Role.PARENT_CARER)
    for i in range(settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER + 2):
        response = client.post(
            "/accounts/login/", {"login": user.email, "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{i + 1}"
        )
        if response.status_code == 429:
            now[0] += 60
            response = client.post(
                "/accounts/login/",
                {"login": user.email, "password": "wrong"},
                REMOTE_ADDR=f"198.51.100.{i + 1}",
            )
        assert response.status_code == 200
    wait = ratelimit.login_account_wait(user.email)
    assert 0 < wait <= settings.LOGIN_ACCOUNT_MAX_DELAY
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429 and response["Retry-After"] == str(wait)
    html = response.content.decode()
    assert "Wait a moment before you sign in" in html and "not locked" in html
    assert not _signed_in(client)
    now[0] += wait
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302 and _signed_in(client)
    # Another person's account is never slowed by it.
    client.logout()
    other = make_user(Role.PROFESSIONAL)
    response = client.post(
        "/accounts/login/", {"login": other.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.10"
    )
    assert response.status_code == 302 and _signed_in(client)


def test_failures_below_the_limit_do_not_stop_the_right_password(client, site, make_user):
    user = make_user(Role.PARENT_CARER)
    for _ in range(_amount("login_failed") - 1):
        assert client.post("/accounts/login/", {"login": user.email, "password": "wrong"}).status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and _signed_in(client)


def test_wagtail_front_end_login_cannot_get_round_the_limit_or_two_factor(client, site, make_user):
    """/_util/login/ was Django's plain LoginView: unlimited guesses, and a staff password alone
    reached the admin. It now sends people to the allauth sign-in."""
    staff = make_user(Role.ADMINISTRATOR, totp=True)
    response = client.post("/_util/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302
    response = client.get("/_util/login/?next=/private/")
    assert response["Location"] == "/accounts/login/?next=/private/"


# --- Signing up ---------------------------------------------------------------------------------


def _signup(client, n: int):
    client.cookies.clear()
    return client.post(
        "/accounts/signup/",
        {
            "email": f"new-parent-{n}@example.org",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
            "role": "parent_carer",
        },
    )


def test_signups_over_the_limit_get_429_and_make_no_account(client, site):
    from portal.models import User

    limit = _amount("signup")
    for n in range(limit):
        response = _signup(client, n)
        assert response.status_code == 302, response.content.decode()[:500]
    assert User.objects.count() == limit
    response = _signup(client, limit)
    _is_friendly_429(response, "Too many new accounts from your connection")
    assert User.objects.count() == limit
    assert not User.objects.filter(email=f"new-parent-{limit}@example.org").exists()


# --- The public feedback form -----------------------------------------------------------------

FEEDBACK = {"text": "The wait for an assessment is too long.", "audience": "parent_carer"}


def test_feedback_over_the_limit_gets_429_and_is_not_stored(client, site):
    from feedback import conf
    from feedback.models import FeedbackItem

    limit, _ = conf.rate_limit()
    for _ in range(limit):
        assert client.post("/feedback/", FEEDBACK).status_code == 302
    assert FeedbackItem.objects.count() == limit
    response = client.post("/feedback/", {**FEEDBACK, "text": "One too many."})
    html = _is_friendly_429(response, "You have sent a lot of feedback in a short time")
    assert "Nothing you have already sent has been lost" in html
    assert FeedbackItem.objects.count() == limit
    assert not FeedbackItem.objects.filter(original__text="One too many.").exists()
    # Someone else, on another connection, can still give feedback.
    assert client.post("/feedback/", FEEDBACK, REMOTE_ADDR="203.0.113.20").status_code == 302


# --- Open surveys -------------------------------------------------------------------------------


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


def test_starting_an_open_survey_over_the_limit_gets_429_and_stores_nothing(client, site, open_survey):
    from surveys import conf
    from surveys.models import Response

    limit, _ = conf.rate_limit()
    for _ in range(limit):
        client.cookies.clear()
        assert client.post("/surveys/one-question/").status_code == 302
    assert Response.objects.count() == limit
    client.cookies.clear()
    response = client.post("/surveys/one-question/")
    html = _is_friendly_429(response, "Please wait before trying again")
    assert "Nothing you already answered has been lost" in html
    assert Response.objects.count() == limit


def test_submitting_an_open_survey_over_the_limit_gets_429_and_is_not_sent(client, site, open_survey):
    """Drafts started on different connections, all sent from one: the sending is limited."""
    from surveys import conf
    from surveys.models import Response

    limit, _ = conf.rate_limit()
    sessions = []
    for n in range(limit + 1):
        client.cookies.clear()
        client.post("/surveys/one-question/", REMOTE_ADDR=f"10.1.{n // 200}.{n % 200 + 1}")
        assert client.post("/surveys/one-question/page/1/", {"q-agree": "agree"}).status_code == 302
        sessions.append(client.cookies["sessionid"].value)
    keys = dict(Response.objects.values_list("pk", "idempotency_key"))
    drafts = list(Response.objects.order_by("pk").values_list("pk", flat=True))
    for n, session in enumerate(sessions):
        client.cookies["sessionid"] = session
        response = client.post(
            "/surveys/one-question/check/", {"idempotency_key": keys[drafts[n]]}, REMOTE_ADDR="192.0.2.50"
        )
        if n < limit:
            assert response.status_code == 302 and response["Location"] == "/surveys/one-question/done/"
    _is_friendly_429(response, "Please wait before trying again")
    assert Response.objects.filter(status="submitted").count() == limit
    assert Response.objects.get(pk=drafts[-1]).status == "draft"  # kept, so nothing is lost


def _draft(client, ip: str = "127.0.0.1"):
    client.cookies.clear()
    assert client.post("/surveys/one-question/", REMOTE_ADDR=ip).status_code == 302


def test_emailing_a_resume_link_is_limited_per_connection_and_keeps_the_address(
    client, site, open_survey, settings, django_capture_on_commit_callbacks
):
    """Drafts on different connections, all asking from one for the link by email."""
    settings.SURVEYS_RATE_LIMIT_COUNT = 3
    mail.outbox.clear()
    for n in range(3):
        _draft(client, ip=f"10.2.0.{n + 1}")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/surveys/one-question/save/", {"email": f"me{n}@example.org"}, REMOTE_ADDR="192.0.2.60"
            )
        assert response.status_code == 200 and "We have sent the link to" in response.content.decode()
    _draft(client, ip="10.2.0.9")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/surveys/one-question/save/", {"email": "me9@example.org"}, REMOTE_ADDR="192.0.2.60"
        )
    html = _is_friendly_429(response, "a lot of requests for emails from your connection")
    assert 'value="me9@example.org"' in html and 'id="resume-link"' in html  # typed text and link kept
    assert len(mail.outbox) == 3


def test_one_address_gets_only_a_few_resume_emails_an_hour_from_anyone(
    client, site, open_survey, django_capture_on_commit_callbacks
):
    """Flooding someone's mailbox from many connections: the address itself is limited. Past
    the limit the page says what it always says (it must not show that someone else has been
    sending links to that address) and nothing is sent."""
    from surveys import conf

    per_address = conf.resume_emails_per_address()
    mail.outbox.clear()
    pages = []
    for n in range(per_address + 1):
        _draft(client, ip=f"10.3.0.{n + 1}")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/surveys/one-question/save/", {"email": "Victim@example.org"}, REMOTE_ADDR=f"10.3.0.{n + 1}"
            )
        assert response.status_code == 200
        pages.append(response.content.decode())
    assert "We have sent the link to Victim@example.org" in pages[-1]
    assert "several times" not in pages[-1]
    assert len(mail.outbox) == per_address
    assert {m.to[0] for m in mail.outbox} == {"Victim@example.org"}


# --- Newsletter --------------------------------------------------------------------------------


def test_newsletter_sign_ups_over_the_limit_get_429_and_store_nothing(client, site, settings):
    from cms.models import NewsletterSubscription

    settings.CMS_NEWSLETTER_RATE_LIMIT_COUNT = 4
    for n in range(4):
        response = client.post("/newsletter/", {"email": f"p{n}@example.org", "audience": "parent_carer"})
        assert response.status_code == 302
    response = client.post("/newsletter/", {"email": "p9@example.org", "audience": "parent_carer"})
    html = _is_friendly_429(response, "a lot of sign-ups from your connection")
    assert 'value="p9@example.org"' in html  # what was typed is kept
    assert NewsletterSubscription.objects.count() == 4
    other = client.post(
        "/newsletter/", {"email": "p9@example.org", "audience": "parent_carer"}, REMOTE_ADDR="203.0.113.30"
    )
    assert other.status_code == 302


def test_asking_again_and_again_sends_one_address_only_a_few_confirmations(
    client, site, django_capture_on_commit_callbacks
):
    from cms import conf
    from cms.models import NewsletterSubscription

    per_address = conf.newsletter_confirmations_per_address()
    mail.outbox.clear()
    for n in range(per_address + 3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/newsletter/",
                {"email": "victim@example.org", "audience": "professional"},
                REMOTE_ADDR=f"10.4.0.{n + 1}",
            )
        assert response.status_code == 302  # the same answer every time: nothing is revealed
    assert len(mail.outbox) == per_address
    assert NewsletterSubscription.objects.filter(email="victim@example.org").count() == 1


# --- Youth forum ------------------------------------------------------------------------------


def _join(client, n: int):
    client.cookies.clear()
    return client.post(
        "/youth-forum/join/",
        {"nickname": f"Sam{n}", "age_band": "16-17", "contact_email": f"sam{n}@example.org"},
    )


def test_joining_the_youth_forum_over_the_limit_gets_429_and_stores_nothing(client, site):
    from youthforum import conf
    from youthforum.models import Member

    limit, _ = conf.rate_limit()
    for n in range(limit):
        assert _join(client, n).status_code == 302
    assert Member.objects.count() == limit
    response = _join(client, limit)
    html = _is_friendly_429(response, "Please try again in an hour")
    assert "govuk-error-summary" in html and f'value="Sam{limit}"' in html  # what was typed is kept
    assert Member.objects.count() == limit and not _signed_in(client)


def test_sign_in_links_over_the_limit_get_429_and_no_email(
    client, site, make_user, settings, django_capture_on_commit_callbacks
):
    from youthforum import conf, services

    settings.YOUTHFORUM_EMAILS_PER_ADDRESS = 100  # the per-connection limit, not the per-address one
    moderator = make_user(Role.ENGAGEMENT_TEAM)
    member = services.member_join(nickname="Robin", age_band="16-17", contact_email="carer@example.org")
    services.member_approve(member=member, actor=moderator)
    limit, _ = conf.rate_limit()
    mail.outbox.clear()
    for _ in range(limit):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/youth-forum/sign-in/", {"email": "carer@example.org"})
        assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == limit
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/youth-forum/sign-in/", {"email": "carer@example.org"})
    _is_friendly_429(response, "Please try again in an hour")
    assert len(mail.outbox) == limit


def test_share_a_view_is_not_rate_limited_but_stores_one_view_per_question(client, site, make_user):
    """Members only; a sent view cannot be sent again, so repeating the POST stores nothing."""
    from youthforum import services
    from youthforum.models import Prompt, View

    moderator = make_user(Role.ENGAGEMENT_TEAM)
    member = services.member_join(nickname="Alex", age_band="18-25", contact_email="alex@example.org")
    services.member_approve(member=member, actor=moderator)
    prompt = Prompt.objects.create(
        question="What helps?", easy_read_question="What helps?", status=Prompt.Status.OPEN
    )
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    data = {"feeling": "happy", "words": "Quiet rooms help.", "send": "1"}
    assert client.post(f"/youth-forum/questions/{prompt.pk}/", data).status_code == 302
    for _ in range(3):
        response = client.post(f"/youth-forum/questions/{prompt.pk}/", data)
        assert response.status_code == 200
    assert View.objects.filter(member=member, prompt=prompt).count() == 1
    assert View.objects.get(member=member, prompt=prompt).status == "sent"
