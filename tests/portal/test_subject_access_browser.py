"""The "your data" pages in real headless Chromium, checked with axe-core: the account home
with its download button, the delete confirmation (with an error), and the goodbye page."""

import json

import pytest

from portal.models import User
from portal.roles import Role
from tests.browser import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/account/home/")


def test_download_then_delete_account(page, make_user):
    from cms.services import newsletter_subscribe

    user = make_user(Role.PARENT_CARER)
    newsletter_subscribe(email=user.email, audience="parent_carer")
    _sign_in(page, user)
    assert page.get_by_role("heading", name="Your data").is_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download your data").click()
    download = info.value
    assert download.suggested_filename.startswith("send-voice-my-data-")
    doc = json.loads(open(download.path(), encoding="utf-8").read())
    assert doc["account"]["email"] == user.email and doc["newsletter"][0]["email"] == user.email

    page.get_by_role("link", name="Delete your account and data").click()
    assert page.locator("h1").inner_text() == "Delete your account and data"
    assert_accessible(page)
    page.get_by_role("button", name="Delete my account and data").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    assert User.objects.filter(pk=user.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and data").click()
    assert page.locator("h1").inner_text() == "Your account has been deleted"
    assert_accessible(page)
    assert not User.objects.filter(pk=user.pk).exists()
    assert page.get_by_role("link", name="Sign in").is_visible()  # signed out


def test_staff_are_told_an_administrator_closes_their_account(page, make_user):
    from portal.demo import totp_current_code

    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code", exact=True).fill(totp_current_code(staff.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.goto("/account/delete/")
    assert page.locator("h1").inner_text() == "You cannot delete a staff account yourself"
    assert_accessible(page)
