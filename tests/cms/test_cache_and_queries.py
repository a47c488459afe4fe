"""The page cache (zero queries on a hit, purged on change) and the index's fixed query count."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in

from .conftest import make_item, publish_update

pytestmark = pytest.mark.django_db


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


def test_index_query_count_does_not_grow_with_items(no_page_cache, yswd_index, plan):
    from portal.models import Objective

    objectives = list(Objective.objects.filter(area__plan=plan)[:3])
    publish_update(yswd_index, items=[make_item("one")], objectives=objectives[:1])
    client = Client()
    _queries(client, yswd_index.url)  # warm Wagtail's site/root-path caches
    _, few = _queries(client, yswd_index.url)
    for n in range(8):
        publish_update(
            yswd_index,
            title=f"Update {n}",
            items=[make_item(f"x{n}"), make_item(f"y{n}")],
            objectives=objectives,
            easy="Easy words.",
        )
    _queries(client, yswd_index.url)
    response, many = _queries(client, yswd_index.url)
    assert response.content.decode().count('class="app-card"') == 9
    assert many == few
    _, young = _queries(client, yswd_index.url + "?view=young")
    assert young <= many + 2


def test_cached_page_is_served_with_no_database_query(page_cache, yswd_index):
    update = publish_update(yswd_index, title="Cached update", items=[make_item("words")])
    client = Client()
    first, _ = _queries(client, update.url)
    assert first["X-Page-Cache"] == "miss"
    second, n = _queries(client, update.url)
    assert n == 0
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"].startswith("text/html")
    # The index, the plan tracker and an objective page are cached too.
    for url in (yswd_index.url, "/", "/you-said-we-did/?status=done"):
        _queries(client, url)
        assert _queries(client, url)[1] == 0


def test_cache_is_keyed_on_easy_read_and_query(page_cache, yswd_index):
    publish_update(yswd_index, title="Keyed", easy="Short words.")
    client = Client()
    standard, _ = _queries(client, yswd_index.url)
    client.cookies["easy_read"] = "1"
    easy, _ = _queries(client, yswd_index.url)
    assert 'govuk-template__body app-easy-read"' in easy.content.decode()
    assert 'govuk-template__body app-easy-read"' not in standard.content.decode()
    young, _ = _queries(client, yswd_index.url + "?view=young")
    assert young.content != easy.content


def test_a_changed_small_number_threshold_is_never_served_from_old_cache(page_cache, yswd_index, settings):
    # Counts suppressed under one threshold must not be served after it changes.
    update = publish_update(yswd_index, title="Threshold", items=[make_item("words")])
    client = Client()
    _queries(client, update.url)
    assert _queries(client, update.url)[0]["X-Page-Cache"] == "hit"
    settings.SMALL_NUMBER_THRESHOLD = 10
    response, _ = _queries(client, update.url)
    assert response["X-Page-Cache"] == "miss"
    assert "fewer than 10" in response.content.decode()


def test_publish_unpublish_and_feedback_changes_purge(page_cache, yswd_index):
    update = publish_update(yswd_index, title="Before", items=[make_item("q")])
    client = Client()
    _queries(client, yswd_index.url)
    assert _queries(client, yswd_index.url)[0]["X-Page-Cache"] == "hit"
    update.title = "After"
    update.save_revision().publish()
    response, n = _queries(client, yswd_index.url)
    assert n > 0 and "After" in response.content.decode()
    update.unpublish()
    assert "After" not in _queries(client, yswd_index.url)[0].content.decode()
    _queries(client, "/")
    make_item("new feedback changes counts on plan pages")
    assert _queries(client, "/")[1] > 0


def test_plan_change_purges(page_cache, site, plan):
    from portal.models import Objective, RatingEntry

    client = Client()
    _queries(client, "/plan/objective/PAP2B_2/")
    assert _queries(client, "/plan/objective/PAP2B_2/")[1] == 0
    objective = Objective.objects.get(code="PAP2B:2", area__plan=plan)
    RatingEntry.objects.create(objective=objective, rating="green", as_of="2030-01-01", note="Fixed")
    response, n = _queries(client, "/plan/objective/PAP2B_2/")
    assert n > 0 and "1 January 2030" in response.content.decode()


def test_not_cached_for_signed_in_people_forms_or_posts(page_cache, yswd_index, make_user):
    update = publish_update(yswd_index, title="Private view")
    client = Client()
    sign_in(client, make_user())
    _queries(client, update.url)
    response, n = _queries(client, update.url)
    assert n > 0 and "X-Page-Cache" not in response
    anon = Client()
    _queries(anon, "/newsletter/")
    response, n = _queries(anon, "/newsletter/")
    assert n > 0 and "csrfmiddlewaretoken" in response.content.decode()
    _queries(anon, "/search/?q=private")
    assert _queries(anon, "/search/?q=private")[1] > 0


def test_preview_and_drafts_never_leak(page_cache, yswd_index):
    update = publish_update(yswd_index, title="Live title")
    client = Client()
    _queries(client, update.url)
    update.title = "Draft title"
    update.save_revision()  # a draft, not published
    assert "Draft title" not in _queries(client, update.url)[0].content.decode()
