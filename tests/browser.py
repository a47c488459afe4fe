"""Headless Chromium (Debian's package) driven by Playwright, and axe-core from npm.

Browser tests are skipped on a laptop without Chromium, but fail in CI, where it must exist.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parent.parent / "portal/frontend/node_modules/axe-core/axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _require_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def chromium_browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server, settings):
    """A fresh browser tab (own cookies) whose relative URLs go to the live test server. The
    site's own address (SITE_BASE_URL, used for every link it gives out) is the live server's,
    as a deployed site's is its public address."""
    settings.SITE_BASE_URL = settings.WAGTAILADMIN_BASE_URL = live_server.url
    context = chromium_browser.new_context(base_url=live_server.url)
    # axe-core is injected by the browser itself (an init script), not as a page <script>, so
    # the pages are tested under their real Content-Security-Policy.
    context.add_init_script(path=str(AXE_JS))
    context.set_default_timeout(15_000)
    tab = context.new_page()
    dialogs, console_errors = [], []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    tab.dialogs = dialogs
    tab.console_errors = console_errors
    yield tab
    context.close()


def axe_violations(tab) -> list[dict]:
    """Run axe-core on the current page with the WCAG 2.2 A/AA rule sets."""
    assert tab.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core was not injected"
    result = tab.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(tab):
    violations = axe_violations(tab)
    assert violations == [], f"axe-core violations on {tab.url}: {violations}"
