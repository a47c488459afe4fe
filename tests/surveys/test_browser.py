"""The four template surveys completed end to end in headless Chromium, keyboard-style, with
axe-core (WCAG 2.2 A/AA) run on every step, including an error page and a resume."""

import pytest

from surveys import questions as qs
from surveys.demo import PRIVACY, TEMPLATES
from surveys.models import Response
from tests.browser import AXE_JS, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def templates(transactional_db):
    from surveys.services import survey_create

    surveys = []
    for spec in TEMPLATES:
        spec = dict(spec)
        questions = spec.pop("questions")
        surveys.append(survey_create(privacy_notice=PRIVACY, questions=questions, **spec))
    return surveys


def _answer_page(page, definition, answers):
    """Answer every question shown on the current page, like a person would."""
    number = int(page.url.rstrip("/").split("/")[-1])
    for q in [q for q in qs.visible_questions(definition, answers) if q["page"] == number]:
        key, kind = q["key"], q["kind"]
        if kind in (qs.Kind.SINGLE, qs.Kind.LIKERT, qs.Kind.YES_NO, qs.Kind.MULTIPLE):
            page.check(f"#q-{key}")
            answers[key] = qs.question_options(q)[0]["value"]
        elif kind == qs.Kind.RATING:
            page.check(f"#q-{key}-4")
            answers[key] = "4"
        elif kind == qs.Kind.NUMBER:
            page.fill(f"#q-{key}", "6")
        elif kind == qs.Kind.DATE:
            page.fill(f"#q-{key}", "3")
            page.fill(f"#q-{key}-month", "6")
            page.fill(f"#q-{key}-year", "2024")
        elif kind in (qs.Kind.SHORT_TEXT, qs.Kind.LONG_TEXT):
            page.fill(f"#q-{key}", "Clearer letters, please <b>now</b>")
        elif kind == qs.Kind.RANKING:
            for i, item in enumerate(q["options"]):
                selector = f"#q-{key}" if i == 0 else f"#q-{key}-{item['value']}"
                page.select_option(selector, str(len(q["options"]) - i))
        elif kind == qs.Kind.MATRIX:
            for s_index, stmt in enumerate(q["statements"]):
                selector = f"#q-{key}" if s_index == 0 else f"#q-{key}-{stmt['value']}"
                page.check(selector)


def _continue(page):
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_four_templates_end_to_end(page, templates, chromium_browser, live_server):
    first_tab = page
    for index, survey in enumerate(templates):
        page = first_tab
        definition = survey.current_version().definition
        answers: dict = {}
        page.goto(f"/surveys/{survey.slug}/")
        assert_accessible(page)
        page.get_by_role("button", name="Start now").click()
        page.wait_for_load_state()
        assert_accessible(page)
        # An error first: continue without answering the required first question.
        _continue(page)
        assert page.locator(".govuk-error-summary").is_visible()
        assert page.title().startswith("Error:")
        assert_accessible(page)
        # The error summary link moves focus to the question.
        page.locator(".govuk-error-summary__list a").first.click()
        _answer_page(page, definition, answers)
        _continue(page)
        if index == 0:
            # Save, then resume in a different browser (no shared cookies).
            page.get_by_role("button", name="Save and come back later").click()
            page.wait_for_load_state()
            assert_accessible(page)
            link = page.locator("#resume-link").get_attribute("href")
            other_context = chromium_browser.new_context(base_url=live_server.url)
            other_context.add_init_script(path=str(AXE_JS))
            page = other_context.new_page()
            page.goto(link)
            assert "/page/" in page.url
        if index == 3:
            # A young person switches to easy read part way through; nothing is lost.
            page.get_by_role("button", name="Switch to easy read").click()
            page.wait_for_load_state()
            assert page.get_by_role("button", name="Switch off easy read").is_visible()
        steps = 0
        while "/page/" in page.url:
            assert_accessible(page)
            _answer_page(page, definition, answers)
            _continue(page)
            steps += 1
            assert steps < 20, f"stuck on {page.url}"
        assert page.url.endswith("/check/")
        assert_accessible(page)
        assert "Needs an answer" not in page.content()
        page.get_by_role("button", name="Send answers").click()
        page.wait_for_load_state()
        assert page.url.endswith("/done/")
        assert page.get_by_role("heading", name="Answers sent").is_visible()
        assert_accessible(page)
        if index == 0:
            page.context.close()
    assert Response.objects.filter(status="submitted").count() == 4


def test_used_invitation_and_list_pages_accessible(page, templates):
    from surveys.services import invitation_create

    _, token = invitation_create(survey=templates[0])
    page.goto("/surveys/")
    assert_accessible(page)
    page.goto(f"/surveys/i/{token}/")
    assert_accessible(page)
    page.goto("/surveys/i/not-a-real-link/")
    assert page.get_by_role("heading", name="We do not recognise this link").is_visible()
    assert_accessible(page)


def _tab_to(page, predicate_js, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"could not reach element with the keyboard: {predicate_js}")


def test_keyboard_only(page, templates):
    """Answer a question and send answers using only the keyboard."""
    survey = templates[3]
    page.goto(f"/surveys/{survey.slug}/")
    _tab_to(page, "() => document.activeElement.textContent.includes('Start now')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/page/1/")
    _tab_to(page, "() => document.activeElement.name === 'q-age'")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked")
    _tab_to(page, "() => document.activeElement.textContent.trim() === 'Continue'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/page/2/")
    assert_accessible(page)
