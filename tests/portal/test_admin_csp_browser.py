"""The Wagtail admin still works under its Content-Security-Policy (portal.middleware.ADMIN_CSP),
in real Chromium: no violation is reported on the pages editors use, including the page
editor's live preview (an iframe, so frame-ancestors must allow the admin itself)."""

import pytest

from portal.roles import Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded in every document and frame (the preview iframe too) before any page script runs.
LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def _violations(tab) -> list[str]:
    found = []
    for frame in tab.frames:
        if not frame.is_detached():
            found += frame.evaluate("() => window.__csp || []")
    found += [e for e in tab.console_errors if "Content Security Policy" in e]
    return found


@pytest.fixture
def editor_tab(chromium_browser, live_server, make_user, site):
    from portal.demo import totp_current_code

    user = make_user(Role.ADMINISTRATOR, totp=True, is_superuser=True)
    context = chromium_browser.new_context(base_url=live_server.url)
    context.add_init_script(LISTENER)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(user.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign In").click()
    tab.get_by_label("Code", exact=True).fill(totp_current_code(user.totp_secret))
    tab.get_by_role("button", name="Sign In").click()
    tab.wait_for_load_state()
    assert "/accounts/" not in tab.url
    yield tab
    context.close()


def test_admin_pages_and_preview_work_under_the_csp(editor_tab, site):
    from cms.models import YouSaidWeDidIndexPage
    from tests.cms.conftest import make_item, publish_update

    tab = editor_tab
    update = publish_update(
        YouSaidWeDidIndexPage.objects.get(), title="Transport update", items=[make_item("The bus was late.")]
    )
    seen = {}
    for url in (
        "/admin/",
        f"/admin/pages/{site.pk}/",
        "/admin/feedback/",
        "/admin/documents/",
        "/admin/images/",
        "/admin/snippets/feedback/theme/",
        "/admin/users/",
        "/admin/survey-tools/",
        "/admin/youth-forum/",
        "/admin/you-said-we-did/build/",
    ):
        response = tab.goto(url)
        assert response.status == 200, url
        tab.wait_for_load_state("networkidle")
        seen[url] = _violations(tab)
    # The page editor: StreamField, inline panels and date pickers are set up by inline scripts.
    tab.goto(f"/admin/pages/{update.pk}/edit/")
    tab.wait_for_load_state("networkidle")
    assert tab.locator("[data-w-dropdown-target], [data-side-panel-toggle]").count() > 0
    # The live preview, in its iframe.
    tab.locator('[data-side-panel-toggle="preview"]').click()
    frame = tab.frame_locator("iframe#w-preview-iframe, iframe[title*='Preview']").first
    frame.locator("h1").first.wait_for()
    assert "Transport update" in frame.locator("h1").first.inner_text()
    # The accessibility checks panel runs axe inside the preview.
    checks = tab.locator('[data-side-panel-toggle="checks"]')
    if checks.count():
        checks.click()
        tab.wait_for_timeout(1500)
    tab.wait_for_load_state("networkidle")
    seen["page editor and preview"] = _violations(tab)
    assert {url: v for url, v in seen.items() if v} == {}
