"""The public site in real headless Chromium, checked with axe-core (WCAG 2.2 A/AA) on every
public page type, plus hostile feedback text that must never run."""

import re

import pytest
from django.core import mail

from tests.browser import assert_accessible

from .conftest import make_item, publish_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _objective(code):
    from portal.models import Objective

    return Objective.objects.get(code=code, area__plan__is_current=True)


@pytest.fixture
def updates(site, plan):
    from cms.models import YouSaidWeDidIndexPage
    from feedback.models import Theme

    index = YouSaidWeDidIndexPage.objects.get()
    theme, _ = Theme.objects.get_or_create(label="ehcp timeliness", defaults={"keywords": "weeks"})
    quoted = make_item("We waited 40 weeks for the plan.", objective=_objective("PAP3A:1"))
    done = publish_update(
        index,
        title="Named workers for every family",
        status="done",
        items=[make_item("Who is my caseworker?")],
        objectives=[_objective("PAP2B:2")],
        easy="Every family has one worker.",
    )
    in_progress = publish_update(
        index,
        title="Plans finished on time",
        status="in_progress",
        quotes=[quoted],
        objectives=[_objective("PAP3A:1")],
        themes=[theme],
        easy="We are making plans faster.",
    )
    could_not = publish_update(
        index,
        title="One waiting time for CAMHS",
        status="could_not_do",
        reason="There is not enough funding this year.",
        items=[make_item("CAMHS wait is too long", audience="young_person")],
        objectives=[_objective("PAP1:1")],
    )
    return {"done": done, "in_progress": in_progress, "could_not": could_not}


def test_home_plan_area_and_objective(page, updates):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Your voice in SEND"
    assert page.locator("text=Plans finished on time").count() >= 1
    assert_accessible(page)
    page.get_by_role("link", name="Follow our improvement plan").click()
    assert page.locator("h1").inner_text() == "Our improvement plan"
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^PAP3: ")).click()
    assert page.locator("h1").inner_text().startswith("PAP3:")
    assert_accessible(page)
    page.get_by_role("link", name="PAP3A:1", exact=True).first.click()
    assert "Objective PAP3A:1" in page.locator("h1").inner_text()
    # BRAG history with its words, KPI charts with a text alternative and a table.
    assert page.locator(".app-timeline .app-brag").first.inner_text() in {"Blue", "Green", "Amber", "Red"}
    chart = page.locator("svg.app-chart").first
    assert chart.get_attribute("role") == "img"
    assert chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
    assert page.locator("caption", has_text="The numbers in this chart").count() >= 1
    assert page.get_by_role("link", name="Plans finished on time").is_visible()
    assert_accessible(page)


def test_you_said_we_did_filters_easy_read_and_young_view(page, updates):
    page.goto("/you-said-we-did/")
    assert page.locator(".app-card").count() == 3
    assert_accessible(page)
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Apply filters").click()
    assert "status=done" in page.url
    assert page.locator(".app-card").count() == 1
    assert page.locator("h2", has_text="1 update match your filters").count() == 1
    page.get_by_label("Plan objective").select_option("PAP3A:1")
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Apply filters").click()
    assert page.locator(".app-card").count() == 1
    page.get_by_role("link", name="Plans finished on time").click()
    assert page.locator("h1").inner_text() == "Plans finished on time"
    assert page.locator("blockquote", has_text="We waited 40 weeks").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Switch to easy read").click()
    assert "app-easy-read" in page.locator("body").get_attribute("class")
    assert page.locator("text=We are making plans faster.").is_visible()
    assert_accessible(page)
    page.goto("/you-said-we-did/?view=young")
    # Only updates with an easy-read summary, bigger text.
    assert page.locator(".app-youth__card").count() == 2
    assert "app-easy-read" in page.locator("body").get_attribute("class")
    assert_accessible(page)
    page.goto(updates["could_not"].url)
    assert page.locator("text=There is not enough funding this year.").is_visible()
    assert_accessible(page)


def test_newsletter_double_opt_in_in_the_browser(page, site):
    page.goto("/newsletter/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign up").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Parents and carers").check()
    page.get_by_label("Email address").fill("parent@example.org")
    page.get_by_role("button", name="Sign up").click()
    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page)
    message = mail.outbox[-1]
    assert message.to == ["parent@example.org"]
    confirm = re.search(r"https?://\S+/confirm/\S+/", message.body).group(0)
    assert "/unsubscribe/" in message.body
    page.goto(re.sub(r"^https?://[^/]+", "", confirm))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm sign-up").click()
    assert page.locator("h1").inner_text() == "You are signed up"
    from cms.models import NewsletterSubscription

    assert NewsletterSubscription.objects.get(email="parent@example.org").is_active


def test_every_public_page_type_has_no_axe_violations(page, updates):
    from cms import demo
    from cms.models import HomePage

    demo._other_pages(HomePage.objects.get())
    urls = [
        "/",
        "/plan/",
        "/plan/area/PAP2/",
        "/plan/objective/PAP2B_2/",
        "/you-said-we-did/",
        "/you-said-we-did/?view=young",
        "/you-said-we-did/?status=could_not_do",
        updates["done"].url,
        "/how-we-use-your-feedback/",
        "/news/",
        "/news/named-workers-countywide/",
        "/events/",
        "/events/youth-forum-december/",
        "/newsletter/",
        "/search/",
        "/search/?q=named+workers",
    ]
    for url in urls:
        for easy in ("0", "1"):
            page.goto(f"/easy-read/?on={easy}&next={url.replace('?', '%3F').replace('&', '%26')}")
            assert page.locator("h1").count() == 1, url
            assert_accessible(page)


XSS = [
    "<script>window.__xss = 1; alert('xss-1')</script>",
    "<img src=x onerror=\"alert('xss-2')\">",
    "\"><svg onload=alert('xss-3')>",
    "<a href=\"javascript:alert('xss-4')\">click</a>",
    "{{ 7*7 }} <iframe src=\"javascript:alert('xss-5')\"></iframe>",
]


def test_quoted_feedback_with_script_never_runs(page, site, plan):
    from cms.models import YouSaidWeDidIndexPage

    index = YouSaidWeDidIndexPage.objects.get()
    text = "My son waited 40 weeks. " + " ".join(XSS)
    item = make_item(text)
    update = publish_update(
        index, title="Hostile quote", quotes=[item], summary="Summary " + XSS[0], easy="Easy " + XSS[1]
    )
    for url in (update.url, "/you-said-we-did/", "/you-said-we-did/?view=young"):
        for easy in ("0", "1"):
            page.goto(f"/easy-read/?on={easy}&next={url.replace('?', '%3F')}")
            assert page.dialogs == []
            assert page.evaluate("() => window.__xss") is None
            main = page.locator("main")
            assert main.locator("script").count() == 0
            assert main.locator("img[src='x'], svg[onload], iframe, a[href^='javascript']").count() == 0
    page.goto(update.url)
    quote = page.locator("blockquote").inner_text()
    assert "<script>" in quote and "onerror" in quote  # shown as text, not markup
    assert "{{ 7*7 }}" in quote
    assert page.dialogs == []


def test_build_publish_check_and_send_replies_in_the_browser(page, site, make_user):
    """Issue 19, end to end in Chromium with Wagtail's own scripts: a draft built from feedback,
    publishing refused while it holds the builder's placeholder, published once written (no
    "This field is required"), nobody emailed until the staff member has seen the email and the
    number of people on the replies screen and pressed Send."""
    from cms.models import YouSaidWeDidPage
    from feedback.models import FeedbackItem
    from portal.demo import totp_current_code
    from portal.roles import Role
    from portal.services import roles_sync
    from tests.factories import PASSWORD

    roles_sync()
    items = [
        make_item(
            "Nobody told us who our caseworker was.", wants_reply=True, contact_email="family@example.org"
        ),
        make_item("The letters never say who to call.", consent=False),
    ]
    FeedbackItem.objects.filter(pk__in=[i.pk for i in items]).update(status="triaged")
    user = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    page.set_default_timeout(30_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code", exact=True).fill(totp_current_code(user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()

    page.goto("/admin/you-said-we-did/build/")
    page.get_by_label("Page title").fill("Named caseworkers")
    for item in items:
        page.get_by_label(f"Use feedback #{item.pk}").check()
    page.get_by_role("button", name="Create draft page").click()
    page.wait_for_url("**/edit/")
    assert page.get_by_text("2 pieces of feedback linked").is_visible()
    mail.outbox.clear()

    def publish():
        page.locator("[data-w-dropdown-target='toggle'], .dropdown-toggle").last.click()
        page.get_by_role("button", name="Publish").click()
        page.wait_for_load_state("networkidle")

    publish()
    body = page.locator("main").inner_text()
    assert "Replace the builder's placeholder text ('Write what we did here.')" in body
    assert "This field is required" not in body
    assert not YouSaidWeDidPage.objects.get(title="Named caseworkers").live

    page.locator("#id_summary").fill("Families told us nobody said who their caseworker was.")
    page.locator("#id_action").fill("Every family now has a named caseworker.")
    page.locator("#id_partner").fill("Oxfordshire County Council")
    publish()
    page.wait_for_url("**/replies/")
    assert YouSaidWeDidPage.objects.get(title="Named caseworkers").live
    assert mail.outbox == []
    preview = page.locator("pre[data-reply-preview='standard']").inner_text()
    assert "What we did: Every family now has a named caseworker." in preview
    page.get_by_role("button", name="Send replies (1 person)").click()
    page.wait_for_load_state("networkidle")
    assert [m.to for m in mail.outbox] == [["family@example.org"]]
    assert mail.outbox[0].body.strip() == preview.strip()
    assert page.get_by_text("1 of 1 sent").is_visible()
