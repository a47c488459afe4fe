"""Production settings: refuse to start without a secret, and pass check --deploy cleanly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SITE_BASE_URL",
            "TRUSTED_PROXIES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env_extra})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run({"ALLOWED_HOSTS": "send.example.org"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run({"SECRET_KEY": "x" * 60}, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy_with_zero_warnings():
    secret = "k3y-" + "".join(chr(65 + (i * 7) % 26) + str(i % 10) for i in range(40))
    result = _run(
        {
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "send.example.org",
            "SITE_BASE_URL": "https://send.example.org",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


GOOD = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "send.example.org"}


def test_production_refuses_to_start_without_site_base_url():
    """Every emailed link is built from SITE_BASE_URL; without it they all pointed at
    http://127.0.0.1:8000 and check --deploy still passed."""
    result = _run(GOOD, "check")
    assert result.returncode != 0
    assert "SITE_BASE_URL must be the site's public https address" in result.stderr


def test_production_refuses_a_plain_http_or_local_site_base_url():
    for bad in (
        "http://send.example.org",
        "https://localhost:8000",
        "https://127.0.0.1",
        "send.example.org",
        "https://",
    ):
        result = _run({**GOOD, "SITE_BASE_URL": bad}, "check")
        assert result.returncode != 0, bad
        assert "SITE_BASE_URL" in result.stderr, bad


def test_production_refuses_a_trusted_proxy_that_is_not_an_address():
    result = _run({**GOOD, "SITE_BASE_URL": "https://send.example.org", "TRUSTED_PROXIES": "nginx"}, "check")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def test_a_malformed_app_setting_stops_the_site_instead_of_becoming_the_default(settings):
    """One reader for every app setting: `90d` used to become 365 without a word."""
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from boardpacks import conf as packs_conf
    from feedback import conf as feedback_conf
    from portal.checks import app_settings_are_valid
    from youthforum import conf as youth_conf

    assert app_settings_are_valid() == []
    settings.FEEDBACK_ORIGINAL_RETENTION_DAYS = "90d"
    settings.YOUTHFORUM_RATE_LIMIT = "ten"
    settings.BOARDPACKS_EXTRA_CLOSED_DAYS = "2026-12-24,christmas"
    settings.BOARDPACKS_MINIMUM_SHARE = "10%"
    with pytest.raises(ImproperlyConfigured, match="FEEDBACK_ORIGINAL_RETENTION_DAYS"):
        feedback_conf.original_retention_days()
    with pytest.raises(ImproperlyConfigured, match="YOUTHFORUM_RATE_LIMIT"):
        youth_conf.rate_limit()
    with pytest.raises(ImproperlyConfigured, match="christmas"):
        packs_conf.extra_closed_days()
    with pytest.raises(ImproperlyConfigured, match="BOARDPACKS_MINIMUM_SHARE"):
        packs_conf.minimum_share()
    errors = {e.obj: e.msg for e in app_settings_are_valid()}
    assert set(errors) >= {
        "feedback.conf.original_retention_days",
        "youthforum.conf.rate_limit",
        "boardpacks.conf.extra_closed_days",
        "boardpacks.conf.minimum_share",
    }
    settings.FEEDBACK_ORIGINAL_RETENTION_DAYS = "90"
    assert feedback_conf.original_retention_days() == 90


def test_manage_py_check_names_a_malformed_app_setting():
    result = _run(
        {
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "send.example.org",
            "SITE_BASE_URL": "https://send.example.org",
            "FEEDBACK_ORIGINAL_RETENTION_DAYS": "90d",
        },
        "check",
    )
    assert result.returncode != 0
    assert "FEEDBACK_ORIGINAL_RETENTION_DAYS must be a whole number, not '90d'" in result.stderr
