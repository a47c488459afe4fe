"""Who is asking, behind the documented proxy (issue 18, finding 2).

Before: every limit keyed on REMOTE_ADDR, which under gunicorn behind nginx is the proxy, so
the whole county shared one bucket (5 feedback submissions per 10 minutes for everyone; five
wrong passwords locked everybody out of signing in). Now X-Forwarded-For is believed only from
an address in TRUSTED_PROXIES, and allauth asks the same function.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from portal.ratelimit import client_ip
from portal.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
FEEDBACK = {"text": "The wait for an assessment is too long.", "audience": "parent_carer"}


def _ip(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_header_from_a_client_that_is_not_our_proxy_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_header_from_our_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert _ip(PROXY, "198.51.100.1") == "198.51.100.1"
    # A client that sends its own header: nginx appends the real address; the forged part,
    # to its left, is never reached.
    assert _ip(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"
    # Two of our own proxies in a row (a load balancer, then nginx), given as a network.
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _ip("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.7") == "198.51.100.1"
    # Junk in the header stops the walk; the hop we trust is used, never the junk.
    assert _ip(PROXY, "198.51.100.1, not-an-ip") == PROXY
    assert _ip(PROXY, "") == PROXY
    assert _ip(PROXY) == PROXY


def _post_feedback(client, remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    client.cookies.clear()
    return client.post("/feedback/", FEEDBACK, REMOTE_ADDR=remote, **extra)


def test_people_behind_the_proxy_each_get_their_own_feedback_limit(client, site, settings):
    from feedback import conf

    settings.TRUSTED_PROXIES = [PROXY]
    limit, _ = conf.rate_limit()
    for _ in range(limit):
        assert _post_feedback(client, PROXY, "198.51.100.1").status_code == 302
    assert _post_feedback(client, PROXY, "198.51.100.1").status_code == 429
    # Somebody else in the county, through the same proxy, is not blocked.
    assert _post_feedback(client, PROXY, "198.51.100.2").status_code == 302


def test_a_spoofed_header_does_not_buy_more_submissions(client, site, settings):
    from feedback import conf

    settings.TRUSTED_PROXIES = [PROXY]
    limit, _ = conf.rate_limit()
    for n in range(limit):
        assert _post_feedback(client, "203.0.113.9", f"198.51.100.{n}").status_code == 302
    assert _post_feedback(client, "203.0.113.9", "198.51.100.200").status_code == 429


def test_sign_in_limits_follow_the_same_address(client, site, make_user, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    user = make_user(Role.PARENT_CARER)
    limit = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    for _ in range(limit):
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    blocked = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert blocked.status_code == 429
    # Five wrong passwords from one person no longer lock out everyone behind the proxy.
    other = make_user(Role.PROFESSIONAL)
    response = client.post(
        "/accounts/login/",
        {"login": other.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
    # And a guesser who forges the header directly gets no fresh bucket per forged value.
    client.logout()
    for n in range(limit):
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429
