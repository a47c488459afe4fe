"""A moderator's decision on a youth forum view reaches the feedback item it became, and the one
quoting rule (`feedback.models.quotable_q`) keeps every view a moderator has not approved out of
board-pack quotes and "You said, we did" quotes: hidden ("it had personal details in it"),
still waiting, or hidden after it was approved (issue 18, finding 3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boardpacks.periods import Period
from boardpacks.selectors import board_pack_compute
from cms.selectors import yswd_detail
from cms.services import yswd_draft_create
from feedback.models import AuditEntry, FeedbackItem
from feedback.services import feedback_tags_confirm
from youthforum import services

pytestmark = pytest.mark.django_db

WORDS = "I would like more visits to the college before I start and a quiet room to go to."


@pytest.fixture
def tagged_view(plan, site, make_member, prompt, send_view, moderator):
    """A sent (not yet moderated) view whose author agreed to be quoted, analysed by the real
    pipeline, with a confirmed objective tag so a board pack would consider it as a quote."""
    view = send_view(make_member(), prompt, words=WORDS, feeling="happy", consent=True)
    item = FeedbackItem.objects.get(source_ref=view.source_ref)
    assert item.analysis_state == "done" and not item.safeguarding and not item.set_aside
    objective = plan.areas.order_by("position").first().objectives.order_by("position").first()
    feedback_tags_confirm(item=item, actor=moderator, codes=[objective.code])
    return view, item, objective


def _pack_quotes(plan, objective) -> list[str]:
    today = timezone.localdate()
    data = board_pack_compute(plan=plan, period=Period(today - timedelta(days=1), today))
    found = next(o for area in data["areas"] for o in area["objectives"] if o["code"] == objective.code)
    return [q["text"] for q in found["quotes"]]


def _proposed_quote(item, moderator) -> bool:
    """Whether building a "You said, we did" draft from this item proposes quoting it."""
    from cms.models import YouSaidWeDidIndexPage

    page = yswd_draft_create(
        index=YouSaidWeDidIndexPage.objects.get(), title="College visits", items=[item], actor=moderator
    )
    return page.feedback_links.get().quote


def _page_quoting(item):
    """A "You said, we did" page on which an editor ticked 'quote' for this item."""
    from cms.models import YouSaidWeDidFeedback, YouSaidWeDidIndexPage, YouSaidWeDidPage

    page = YouSaidWeDidPage(
        title="What we did about college", summary="s", action="a", partner="p", status="done"
    )
    page.feedback_links = [YouSaidWeDidFeedback(item=item, quote=True)]
    YouSaidWeDidIndexPage.objects.get().add_child(instance=page)
    return page


def _page_quotes(page) -> list[str]:
    """The quotes the page shows (checked at render time)."""
    return [q.text for q in yswd_detail(page)["quotes"]]


def test_a_view_waiting_for_a_moderator_is_never_quoted(plan, tagged_view, moderator):
    view, item, objective = tagged_view
    assert item.consent_to_quote and not item.may_quote
    assert not any(WORDS[:30] in text for text in _pack_quotes(plan, objective))
    assert _proposed_quote(item, moderator) is False
    assert _page_quotes(_page_quoting(item)) == []
    item.refresh_from_db()
    assert item.quote_moderation == "pending"
    assert not FeedbackItem.objects.quotable().filter(pk=item.pk).exists()


def test_a_hidden_view_is_never_quoted(plan, tagged_view, moderator):
    view, item, objective = tagged_view
    services.view_hide(view=view, actor=moderator, reason="personal")
    assert not item.may_quote
    assert not any(WORDS[:30] in text for text in _pack_quotes(plan, objective))
    assert _proposed_quote(item, moderator) is False
    assert _page_quotes(_page_quoting(item)) == []
    item.refresh_from_db()
    assert item.quote_moderation == "hidden"
    assert AuditEntry.objects.filter(item=item, action="quote_moderation", actor=moderator).exists()


def test_an_approved_view_may_be_quoted(plan, tagged_view, moderator):
    view, item, objective = tagged_view
    services.view_approve(view=view, actor=moderator)
    assert item.may_quote
    assert any(WORDS[:30] in text for text in _pack_quotes(plan, objective))
    assert _proposed_quote(item, moderator) is True
    assert any(WORDS[:30] in text for text in _page_quotes(_page_quoting(item)))
    item.refresh_from_db()
    assert item.quote_moderation == "approved"


def test_hiding_an_approved_view_removes_its_quotes(plan, tagged_view, moderator):
    view, item, objective = tagged_view
    services.view_approve(view=view, actor=moderator)
    assert any(WORDS[:30] in text for text in _pack_quotes(plan, objective))
    page = _page_quoting(item)
    assert any(WORDS[:30] in text for text in _page_quotes(page))
    services.view_hide(view=view, actor=moderator, reason="personal", note="It had your school in it.")
    assert not item.may_quote
    assert not any(WORDS[:30] in text for text in _pack_quotes(plan, objective))
    assert _proposed_quote(item, moderator) is False
    # The page that already quoted it drops the quote at render time.
    assert _page_quotes(page) == []
