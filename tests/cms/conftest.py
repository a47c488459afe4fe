"""Fixtures for the public site: the CMS sections, analysed feedback items, published
"You said, we did" pages, and the page cache middleware switched on."""

import itertools

import pytest
from django.utils import timezone

_seq = itertools.count(1)


@pytest.fixture
def yswd_index(site):
    from cms.models import YouSaidWeDidIndexPage

    return YouSaidWeDidIndexPage.objects.get()


def make_item(
    text="The wait for the EHC plan was far too long.",
    *,
    consent=True,
    safeguarding=False,
    audience="parent_carer",
    sentiment="negative",
    set_aside="",
    contact_email="",
    wants_reply=False,
    objective=None,
    tag_state="confirmed",
    theme=None,
):
    """An analysed feedback item (as the pipeline leaves it), without running the pipeline."""
    from feedback.models import FeedbackItem, FeedbackOriginal, ItemTheme, ObjectiveTag

    item = FeedbackItem.objects.create(
        channel="web_form",
        audience=audience,
        received_at=timezone.now(),
        source_ref=f"test:{next(_seq)}",
        consent_to_quote=consent,
        wants_reply=wants_reply,
        redacted_text=text,
        analysis_state="done",
        analysed_at=timezone.now(),
        sentiment=sentiment,
        safeguarding=safeguarding,
        set_aside=set_aside,
    )
    FeedbackOriginal.objects.create(item=item, text=text, contact_email=contact_email)
    if objective is not None:
        ObjectiveTag.objects.create(item=item, objective=objective, state=tag_state, confidence=0.9)
    if theme is not None:
        ItemTheme.objects.create(item=item, theme=theme)
    return item


@pytest.fixture
def item_factory(db):
    return make_item


def publish_update(
    index,
    *,
    title="Plans on time",
    items=(),
    quotes=(),
    objectives=(),
    themes=(),
    status="in_progress",
    reason="",
    easy="",
    slug=None,
    **fields,
):
    """Create and publish a "You said, we did" page the way an editor would."""
    from cms.models import YouSaidWeDidFeedback, YouSaidWeDidPage

    page = YouSaidWeDidPage(
        title=title,
        slug=slug or f"update-{next(_seq)}",
        summary=fields.pop("summary", "Families told us plans take too long."),
        action=fields.pop("action", "We hired more staff."),
        partner=fields.pop("partner", "Oxfordshire County Council"),
        status=status,
        status_reason=reason,
        easy_read_summary=easy,
        **fields,
    )
    quote_ids = {q.pk for q in quotes}
    page.feedback_links = [
        YouSaidWeDidFeedback(item=i, quote=i.pk in quote_ids)
        for i in [*items, *[q for q in quotes if q not in items]]
    ]
    page.objectives = list(objectives)
    page.themes = list(themes)
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def publish(db):
    return publish_update


@pytest.fixture
def page_cache(settings):
    """The page cache middleware where production puts it (just before sessions). It is in the
    base settings; this fixture keeps tests explicit about relying on it."""
    middleware = list(settings.MIDDLEWARE)
    if "cms.cache.PageCacheMiddleware" not in middleware:
        middleware.insert(
            middleware.index("django.contrib.sessions.middleware.SessionMiddleware"),
            "cms.cache.PageCacheMiddleware",
        )
    settings.MIDDLEWARE = middleware
    return settings


@pytest.fixture
def no_page_cache(settings):
    """Render every request afresh, for tests that count the queries a render makes."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "cms.cache.PageCacheMiddleware"]
    return settings
