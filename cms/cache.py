"""The public page cache: published Wagtail pages served to anonymous visitors without touching
the database. See docs/decisions/0050-cms-page-cache.md.

- `PageCacheMiddleware` sits near the top of MIDDLEWARE (after WhiteNoise, before sessions). On
  a hit it answers from the cache before any session, user or page lookup: zero queries.
- Only responses Wagtail produced for a page that opted in (`page_cache = True`, flagged by the
  `before_serve_page` hook in `cms.wagtail_hooks`) are stored, and only when the request was an
  anonymous GET with no session or messages cookie and the response sets no cookie (so pages
  with CSRF forms are never stored).
- The key is path + the query parameters cached pages use (QUERY_PARAMS, sorted; empty ones
  dropped) + easy-read cookie + the small-number threshold (a changed `SMALL_NUMBER_THRESHOLD`
  must never serve counts suppressed under the old one) + a generation number. Purging bumps the generation
  (`page_cache_purge`), which makes every cached page stale at once: content is small and linked
  (a plan change shows on "You said, we did" pages and the reverse), so a global purge is both
  correct and cheap. Entries also expire after PAGE_CACHE_SECONDS.
- Junk in the query string cannot fill the cache (the same Redis holds the Celery queue): other
  parameters are left out of the key, so `?utm_source=x` is served the page's cached copy, and
  a response is stored only for a query made of known parameters with well-formed values. Free
  values (a page number, a theme) can still vary, so each path keeps at most
  PAGE_CACHE_VARIANTS stored variants with a query string per generation.
- Works with LocMemCache (one process) and Redis (shared by every web process).
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from portal import disclosure

from . import conf

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = conf.page_cache_seconds()
GENERATION_KEY = "cms:pagecache:generation"
FLAG = "_cms_page_cacheable"
# Headers never copied into the cache: they belong to one visitor.
SKIP_HEADERS = {"set-cookie"}
ENABLED = True
PAGE_CACHE_VARIANTS = conf.page_cache_variants()

# Every query parameter a cached page reads, and the values it can make use of. Pages (and
# cms/models.py get_context/routes) that read a new parameter must add it here, or their
# responses to it are never stored.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.-]{0,39}")
QUERY_PARAMS = {
    "page": re.compile(r"[1-9][0-9]{0,4}"),  # pagination: "You said, we did", news
    "plan": _CODE,  # plan tracker and its area/objective pages
    "view": re.compile(r"young"),  # "You said, we did": the young people's view
    "easy_read": re.compile(r"1"),  # portal.context_processors: easy read by link
    # "You said, we did" filters (cms.selectors.yswd_filters_parse)
    "objective": _CODE,
    "area": _CODE,
    "theme": re.compile(r"[^\x00-\x1f\x7f]{1,80}"),  # a theme's label, as editors wrote it
    "audience": re.compile(r"[a-z_]{1,40}"),
    "status": re.compile(r"[a-z_]{1,40}"),
    "year": re.compile(r"[0-9]{4}"),
}


def page_cache_purge() -> None:
    """Make every cached page stale (called on publish/unpublish and on linked data changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation stored yet (or it expired)
        cache.set(GENERATION_KEY, 2, None)
    except Exception:  # a cache outage must never break a save; entries expire anyway
        logger.warning("Could not purge the page cache", exc_info=True)


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def _known_query(request) -> list[tuple[str, list[str]]]:
    """The known, non-empty query parameters, sorted: all a cached page can vary on."""
    return sorted(
        (name, [v for v in values if v])
        for name, values in request.GET.lists()
        if name in QUERY_PARAMS and any(values)
    )


def _query_is_storable(request) -> bool:
    """Only known parameters, each given once with a value its page can use (empty ones, which
    the filter forms send, count as absent)."""
    for name, values in request.GET.lists():
        pattern = QUERY_PARAMS.get(name)
        if pattern is None or len(values) > 1:
            return False
        if values[0] and not pattern.fullmatch(values[0]):
            return False
    return True


def _path_digest(request) -> str:
    easy_read = "1" if request.COOKIES.get("easy_read") == "1" else "0"
    return hashlib.sha256("|".join([request.get_host(), request.path, easy_read]).encode()).hexdigest()


def page_cache_key(request) -> str:
    query = urlencode(_known_query(request), doseq=True)
    easy_read = "1" if request.COOKIES.get("easy_read") == "1" else "0"
    raw = "|".join([request.get_host(), request.path, query, easy_read])
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"cms:page:{_generation()}:t{disclosure.threshold()}:{digest}"


def _variant_allowed(request) -> bool:
    """Count a new stored variant with a query string for this path; False past the limit. The
    plain path is always allowed: there is one per page."""
    if not _known_query(request):
        return True
    key = f"cms:pagecache:variants:{_generation()}:{_path_digest(request)}"
    cache.add(key, 0, PAGE_CACHE_SECONDS)
    try:
        return cache.incr(key) <= PAGE_CACHE_VARIANTS
    except ValueError:  # expired between add and incr: count it next time
        return False


def request_is_cacheable(request) -> bool:
    """Anonymous, side-effect free, nothing per-visitor: no session, no flash messages."""
    if not ENABLED or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def response_is_storable(request, response) -> bool:
    if not getattr(request, FLAG, False) or response.status_code != 200:
        return False
    if not _query_is_storable(request):
        return False
    if getattr(response, "streaming", False) or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


class PageCacheMiddleware:
    """Serve cached copies of public pages; store fresh ones. Adds `X-Page-Cache: hit|miss`."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _variant_allowed(request) -> bool:
        try:
            return _variant_allowed(request)
        except Exception:  # a cache outage: store nothing, serve the page as rendered
            logger.warning("Page cache unavailable", exc_info=True)
            return False

    def __call__(self, request):
        if not request_is_cacheable(request):
            return self.get_response(request)
        try:
            key = page_cache_key(request)
            cached = cache.get(key)
        except Exception:
            logger.warning("Page cache unavailable", exc_info=True)
            return self.get_response(request)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response_is_storable(request, response) and self._variant_allowed(request):
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            headers = [(k, v) for k, v in response.items() if k.lower() not in SKIP_HEADERS]
            try:
                cache.set(key, (response.status_code, headers, response.content), PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("Could not store a page in the cache", exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response


def mark_cacheable(request, page) -> None:
    """Called before Wagtail serves a page: flag the request if the page may be cached."""
    if getattr(page, "page_cache", False) and page.live and not getattr(request, "is_preview", False):
        setattr(request, FLAG, True)
