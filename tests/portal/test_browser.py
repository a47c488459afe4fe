"""The public plan pages and sign-in, in real headless Chromium, checked with axe-core."""

import pytest

from portal.roles import Role
from tests.browser import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_plan_and_objective_are_accessible(page, site, plan):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Your voice in SEND"
    assert_accessible(page)
    page.get_by_role("link", name="Follow our improvement plan").click()
    assert page.locator("h1").inner_text() == "Our improvement plan"
    assert page.locator("text=PAP2B:2").count() >= 1
    assert_accessible(page)
    page.get_by_role("link", name="PAP2B:2").click()
    assert "Objective PAP2B:2" in page.locator("h1").inner_text()
    assert page.locator(".app-brag--red").first.inner_text() == "Red"
    assert_accessible(page)
    # Stylesheet, scripts and fonts all load under the Content-Security-Policy.
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_easy_read_mode_without_javascript_state(page, site, plan):
    page.goto("/plan/")
    page.get_by_role("link", name="Switch to easy read").click()
    assert "app-easy-read" in page.locator("body").get_attribute("class")
    assert_accessible(page)


def test_sign_in_with_two_factor_in_the_browser(page, make_user):
    from portal.demo import totp_current_code

    user = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign In").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("Email").input_value() == user.email
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code", exact=True).fill(totp_current_code(user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.locator("text=As engagement team you can").is_visible()
