"""The public page cache cannot be flooded with junk query strings (security review, issue 18,
finding 12): the cache shares Redis with the Celery queue, and each entry is ~20 KiB."""

import pytest
from django.core.cache import cache
from django.test import Client

from cms import cache as page_cache_module

from .conftest import publish_update

pytestmark = pytest.mark.django_db


def _page_entries() -> list[str]:
    """Stored pages in the test LocMemCache (keys are made as ':<version>:<key>')."""
    return [key for key in cache._cache if ":cms:page:" in key]


def test_junk_query_parameters_create_no_cache_entries(page_cache, yswd_index):
    publish_update(yswd_index, title="One update")
    client = Client()
    for n in range(300):
        response = client.get(yswd_index.url, {f"junk{n}": "x" * 50, "utm_source": str(n)})
        assert response.status_code == 200
    assert len(_page_entries()) <= 1
    # The page itself is cached once, and junk is then served that copy, never a new one.
    assert client.get(yswd_index.url)["X-Page-Cache"] == "miss"
    assert client.get(yswd_index.url)["X-Page-Cache"] == "hit"
    for n in range(300, 320):
        assert client.get(yswd_index.url, {f"junk{n}": "1"})["X-Page-Cache"] == "hit"
    assert len(_page_entries()) == 1


def test_known_parameters_with_junk_values_are_not_stored(page_cache, yswd_index):
    publish_update(yswd_index, title="One update")
    client = Client()
    for query in (
        {"page": "abc"},
        {"page": "0"},
        {"page": "1", "x": "1"},
        {"view": "old"},
        {"year": "20x4"},
        {"status": "<b>"},
        {"easy_read": "2"},
        {"objective": "a\x01b"},
    ):
        for _ in range(2):
            assert client.get(yswd_index.url, query).status_code == 200
    assert _page_entries() == []


def test_free_values_are_capped_per_page(page_cache, yswd_index):
    """Page numbers (and filter values) are free text: each path keeps a bounded number of
    variants, however many an attacker asks for."""
    publish_update(yswd_index, title="One update")
    client = Client()
    for n in range(1, 301):
        assert client.get(yswd_index.url, {"page": str(n)}).status_code == 200
    assert len(_page_entries()) == page_cache_module.PAGE_CACHE_VARIANTS
    # The plain page is still stored once the variants are used up.
    client.get(yswd_index.url)
    assert client.get(yswd_index.url)["X-Page-Cache"] == "hit"


def test_pages_people_use_are_still_cached(page_cache, yswd_index, plan):
    publish_update(yswd_index, title="One update", status="done")
    client = Client()
    for url in (
        yswd_index.url + "?status=done",
        yswd_index.url + "?view=young",
        yswd_index.url + "?status=done&objective=&area=&theme=&audience=&year=",
        yswd_index.url + "?page=1",
        "/plan/?plan=WSOA-2018",
        "/?easy_read=1",
    ):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url
