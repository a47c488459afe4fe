"""A young person's journey in real headless Chromium, checked with axe-core on every page:
joining with a parent's consent, answering a prompt with an emoji and words (saved, then
sent), voting with the keyboard, seeing results, and reaching the youth "You said, we did"."""

import re

import pytest
from django.core import mail

from tests.browser import AXE_JS, assert_accessible
from youthforum import services
from youthforum.models import Member, Prompt, Topic, View, VoteRound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forum(db):
    prompt = Prompt.objects.create(
        question="What would make moving to college easier?",
        easy_read_question="What would help you move to college?",
        easy_read_text="Moving to college is a big change.",
        picture_emoji="🎓",
        picture_label="College",
        status=Prompt.Status.OPEN,
    )
    vote_round = VoteRound.objects.create(title="What should we work on?", dots_per_member=3, status="open")
    topics = [
        Topic.objects.create(round=vote_round, title=t, picture_emoji=e, picture_label=lbl, sort_order=i)
        for i, (t, e, lbl) in enumerate([("Transport", "🚌", "Bus"), ("Mental health", "💚", "Heart")])
    ]
    return prompt, vote_round, topics


def test_young_person_joins_with_consent_answers_votes_and_reads_updates(
    page, chromium_browser, live_server, site, forum, make_user
):
    from portal.roles import Role

    prompt, vote_round, (transport, health) = forum
    moderator = make_user(Role.ENGAGEMENT_TEAM)

    page.goto("/youth-forum/")
    assert page.locator("h1").inner_text() == "SEND youth forum"
    assert_accessible(page)
    _go(page, page.get_by_role("link", name="Join the youth forum"))
    assert_accessible(page)
    _go(page, page.get_by_role("button", name="Join"))  # nothing filled in: errors, nothing lost
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("What should we call you?").fill("Jess")
    page.get_by_label("13 to 15").check()
    page.get_by_label("Email address for sign-in links").fill("parent@example.org")
    _go(page, page.get_by_role("button", name="Join"))
    assert "Thank you for joining, Jess" in page.locator("h1").inner_text()
    assert_accessible(page)

    # Under 16: cannot take part before a parent/carer consents.
    page.goto("/youth-forum/my-views/")
    assert page.locator("h1").inner_text() == "You cannot take part yet"
    page.goto(f"/youth-forum/questions/{prompt.pk}/")
    assert page.locator("h1").inner_text() == "You cannot take part yet"

    # The parent opens the consent link from their email (a separate browser).
    link = re.search(r"https?://[^/\s]+(/youth-forum/consent/\S+/)", mail.outbox[-1].body).group(1)
    parent = _new_tab(chromium_browser, live_server)
    parent.goto(link)
    assert "Can Jess join" in parent.locator("h1").inner_text()
    assert_accessible(parent)
    parent.get_by_label("Yes, they can join").check()
    parent.get_by_label("Your name").fill("Pat Parent")
    _go(parent, parent.get_by_role("button", name="Send my answer"))
    assert parent.locator("h1").inner_text() == "Thank you for saying yes"
    parent.context.close()
    member = Member.objects.get(nickname="Jess")
    assert member.consent_given_at is not None
    services.member_approve(member=member, actor=moderator)

    # Answer with an emoji and words: save for later, then send.
    page.goto("/youth-forum/")
    assert page.locator("h1").inner_text() == "Hello Jess"
    assert_accessible(page)
    _go(page, page.get_by_role("link", name="Answer the question: What would help you move to college?"))
    assert_accessible(page)
    # Readable at 200% zoom: at half the width nothing scrolls sideways.
    page.set_viewport_size({"width": 640, "height": 900})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_label("😀 Happy").check()
    page.get_by_label("Tell us in your own words").fill("Visiting the college twice before I start.")
    page.get_by_label("Other people can read my words").check()
    _go(page, page.get_by_role("button", name="Save and send later"))
    assert page.locator(".govuk-notification-banner").inner_text().count("Saved") == 1
    assert (
        page.get_by_label("Tell us in your own words").input_value()
        == "Visiting the college twice before I start."
    )
    assert page.get_by_label("😀 Happy").is_checked()
    _go(page, page.get_by_role("button", name="Send my answer"))
    assert page.locator("h1").inner_text() == "My views"
    assert page.locator("text=Waiting for a moderator").is_visible()
    assert_accessible(page)
    view = View.objects.get(member=member)
    assert view.status == "sent" and view.feeling == "happy"

    # Another member signs in with a link and cannot see the unmoderated view.
    other = Member.objects.get(pk=_approved_member(moderator).pk)
    friend = _new_tab(chromium_browser, live_server)
    friend.goto(f"/youth-forum/sign-in/{services.sign_in_token(other)}/")
    assert_accessible(friend)
    _go(friend, friend.get_by_role("button", name="Sign in"))
    friend.goto(f"/youth-forum/questions/{prompt.pk}/")
    assert "Visiting the college twice" not in friend.content()
    assert "Jess" not in friend.content()
    friend.context.close()

    # Dot-voting with the keyboard alone.
    page.goto("/youth-forum/")
    _go(page, page.get_by_role("link", name="What should we work on?"))
    assert_accessible(page)
    page.locator(f"#topic-{transport.pk}-2").focus()
    page.keyboard.press("Space")
    page.locator(f"#topic-{health.pk}-1").focus()
    page.keyboard.press("Space")
    page.locator(f"#topic-{health.pk}-1").press("Tab")
    page.keyboard.press("Enter")
    assert "Your dots are saved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(f"#topic-{transport.pk}-2").is_checked()
    VoteRound.objects.filter(pk=vote_round.pk).update(status="closed")
    page.reload()
    assert page.locator("h1").inner_text() == "Results: What should we work on?"
    # One member's 2 + 1 dots are small numbers: other members see "fewer than 5" (portal.disclosure).
    assert page.locator("text=Fewer than 5 dots").first.is_visible()
    assert page.locator("text=Fewer than 5 members voted").is_visible()
    assert_accessible(page)

    # The youth "You said, we did".
    page.goto("/youth-forum/")
    _go(page, page.get_by_role("link", name="See what changed because of what young people said"))
    assert page.url.endswith("/you-said-we-did/?view=young")
    # The youth view is built by the cms app (ADR 0051); it exists, so check it too.
    assert "you said, we did" in page.locator("h1").first.inner_text().lower()
    assert_accessible(page)


def _go(tab, locator):
    """Click something that loads a new page, and wait for that page (so axe never runs on a
    page that is being replaced)."""
    with tab.expect_navigation():
        locator.click()


def _new_tab(browser, live_server):
    """Another person's browser (own cookies), with axe-core injected like the `page` fixture."""
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(path=str(AXE_JS))
    context.set_default_timeout(15_000)
    return context.new_page()


def _approved_member(moderator):
    member = services.member_join(nickname="Other", age_band="18-25", contact_email="other@example.org")
    return services.member_approve(member=member, actor=moderator)


def test_leaving_in_the_browser_erases_data(page, site, make_user):
    from portal.roles import Role

    moderator = make_user(Role.ENGAGEMENT_TEAM)
    member = _approved_member(moderator)
    page.goto(f"/youth-forum/sign-in/{services.sign_in_token(member)}/")
    _go(page, page.get_by_role("button", name="Sign in"))
    _go(page, page.get_by_role("link", name="Leave the forum"))
    assert_accessible(page)
    _go(page, page.get_by_role("button", name="Leave and delete my data"))
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Yes, I want to leave and delete my data").check()
    _go(page, page.get_by_role("button", name="Leave and delete my data"))
    assert page.locator("h1").inner_text() == "You have left the youth forum"
    assert_accessible(page)
    assert not Member.objects.exists()


def test_demo_forum_pages_are_accessible(page, site, plan):
    """Every member page with realistic demo content: meetings, terms (published, history and
    draft with a comment), the report, results and a hidden view's kind explanation."""
    import io

    from portal.demo import demo_users_ensure
    from youthforum import demo

    demo_users_ensure()
    demo.load(io.StringIO())
    jordan = Member.objects.get(nickname="Jordan")  # under 16, consent recorded, one view hidden
    page.goto(f"/youth-forum/sign-in/{services.sign_in_token(jordan)}/")
    _go(page, page.get_by_role("button", name="Sign in"))
    for link in ("My views", "Meetings", "Our rules (terms of reference)", "Our report to the board"):
        _go(page, page.get_by_role("navigation", name="Youth forum").get_by_role("link", name=link))
        assert_accessible(page)
    page.goto("/youth-forum/my-views/")
    assert page.locator("text=We keep those private to keep everyone safe").is_visible()
    page.goto("/youth-forum/meetings/")
    _go(page, page.get_by_role("link", name="Youth forum meeting: moving on"))
    assert page.locator("text=What happened to what you said").first.is_visible()
    assert_accessible(page)
    page.goto("/youth-forum/terms-of-reference/")
    _go(page, page.get_by_role("link", name="Read the new version and tell us what you think"))
    assert_accessible(page)
    page.get_by_label("Your comment").fill("Can we have breaks every hour?")
    _go(page, page.get_by_role("button", name="Send my comment"))
    assert "The forum team will read your comment" in page.locator(".govuk-notification-banner").inner_text()
    page.goto("/youth-forum/")
    _go(page, page.get_by_role("link", name="Results: What should the youth forum work on this year?"))
    assert_accessible(page)
