"""Junk at the boundary gets a clear message, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


def test_oversized_body_gets_a_clear_413(client, site):
    body = "x=" + "a" * (3 * 1024 * 1024)
    response = client.post("/accounts/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_too_many_fields_gets_a_clear_400(client, site):
    body = "&".join(f"f{i}=1" for i in range(5000))
    response = client.post("/accounts/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "far more answers" in response.content.decode()


@pytest.mark.parametrize("value", ["a\x00b", "<script>alert(1)</script>", "' OR 1=1 --"])
def test_login_form_junk_is_rejected_cleanly(client, site, value):
    response = client.post("/accounts/login/", {"login": value, "password": value})
    assert response.status_code in (200, 400)
    assert b"<script>alert(1)</script>" not in response.content


def test_invalid_utf8_in_query_string_is_not_an_error(client, site, plan):
    response = client.get("/plan/", QUERY_STRING="plan=%ff%fe%00")
    assert response.status_code == 200


@pytest.mark.parametrize("raw", ["login=%ED%B3%BF&password=x", "login=%FF%FE&password=%C0%AF"])
def test_lone_surrogates_and_invalid_utf8_in_a_form_are_not_an_error(client, site, raw):
    response = client.post("/accounts/login/", data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)


def test_public_pages_send_a_strict_content_security_policy(client, site):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


def test_database_unavailable_gives_503_try_again(client, site, monkeypatch):
    from django.db import OperationalError

    from cms.models import HomePage

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(HomePage, "serve", broken)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "has not been saved" in response.content.decode()


def test_database_lost_in_middleware_also_gives_503_not_500(site, monkeypatch):
    """Found by bench/load_surveys.py --db-restart-at: the session is loaded by middleware before
    any view runs, so a database restart surfaced there as a 500."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError
    from django.test import Client

    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = "x" * 32

    def broken(self):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(SessionStore, "load", broken)
    response = browser.get("/surveys/")
    assert response.status_code == 503
    assert "has not been saved" in response.content.decode()


def _wrapped(driver_error):
    """A database error as Django raises it: its own class, the driver's error as the cause."""
    from django.db import OperationalError

    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as exc:
        return exc


def _transient_cases():
    import sqlite3

    import psycopg
    from psycopg import errors

    return [
        (psycopg.OperationalError("connection refused"), True),  # server unreachable: no SQLSTATE
        (errors.AdminShutdown("terminating connection due to administrator command"), True),
        (errors.CannotConnectNow("the database system is starting up"), True),
        (errors.TooManyConnections("sorry, too many clients already"), True),
        (errors.DeadlockDetected("deadlock detected"), True),
        (errors.SerializationFailure("could not serialize access"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (sqlite3.OperationalError("no such table: feedback_feedbackitem"), False),
        (sqlite3.OperationalError('near "FROM": syntax error'), False),
    ]


def test_only_a_database_that_cannot_work_just_now_gets_the_try_again_page():
    """A missing table or bad SQL is a bug: it must stay a 500 (and be reported), not tell
    people to try again for ever."""
    from portal.middleware import database_unavailable_response

    for driver_error, transient in _transient_cases():
        response = database_unavailable_response(_wrapped(driver_error))
        assert (response is not None) == transient, driver_error
        if transient:
            assert response.status_code == 503 and "has not been saved" in response.content.decode()
    assert database_unavailable_response(ValueError("not a database error")) is None
