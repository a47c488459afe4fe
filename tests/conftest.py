"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL + Redis when
DATABASE_URL / CELERY_BROKER_URL name them (CI does)."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls the tests
# make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser", "tests.worker"]


@pytest.fixture
def site(db):
    """The home page, the Site and the fixed sections, built by the same set-up a real deploy
    runs (`manage.py setup_site`: page permissions, schools, themes, draft survey templates).
    Returns the home page."""
    from cms.models import HomePage
    from config.setup import site_setup

    site_setup()
    return HomePage.objects.get()


@pytest.fixture
def plan(db):
    """The real 2024 Priority Action Plan and 2018 WSoA, loaded from the repo's data file."""
    from portal.plan_loader import plan_file_load
    from portal.selectors import plan_get_current

    plan_file_load()
    return plan_get_current()


@pytest.fixture
def make_user(db):
    """make_user(role, totp=False, **fields) -> a verified user holding that role."""
    from tests.factories import user_with_role

    return user_with_role


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
