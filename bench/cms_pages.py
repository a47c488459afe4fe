"""Benchmark: a cached "You said, we did" page against a static file served by the same server
(WhiteNoise) and against the same page uncached, in one run, with the ratios.

    .venv/bin/python bench/cms_pages.py [--rounds 5] [--requests 400]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sv_cms .venv/bin/python bench/cms_pages.py
    CACHE_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/cms_pages.py   # Redis page cache

Requests go through the full Django WSGI handler in this process (WhiteNoise, the page cache
middleware, sessions, CSRF, Wagtail), so the three cases share everything but the work that
differs. Without DATABASE_URL it uses a throwaway SQLite file. Not a test: it lives outside
tests/ and is never collected by pytest.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="cms-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402


def _seed():
    from django.utils import timezone

    from cms.models import YouSaidWeDidFeedback, YouSaidWeDidIndexPage, YouSaidWeDidPage
    from cms.services import site_ensure
    from feedback.models import FeedbackItem, FeedbackOriginal
    from portal.models import Objective
    from portal.plan_loader import plan_file_load

    plan_file_load()
    site_ensure()
    index = YouSaidWeDidIndexPage.objects.get()
    page = YouSaidWeDidPage.objects.filter(slug="bench-update").first()
    if page is not None:
        return page
    items = []
    for n in range(30):
        item = FeedbackItem.objects.create(
            channel="web_form",
            audience="parent_carer",
            received_at=timezone.now(),
            source_ref=f"bench:{n}",
            consent_to_quote=n % 3 == 0,
            analysis_state="done",
            redacted_text=f"We waited {20 + n} weeks for the EHC plan and nobody told us why.",
            sentiment="negative",
        )
        FeedbackOriginal.objects.create(item=item, text=item.redacted_text)
        items.append(item)
    page = YouSaidWeDidPage(
        title="Getting EHC plans finished on time",
        slug="bench-update",
        summary="Families told us EHC needs assessments take far too long.",
        action="We recruited more educational psychologists and send fortnightly updates.",
        partner="Oxfordshire County Council",
        status="in_progress",
        easy_read_summary="You said plans take too long. We have more staff now.",
    )
    page.feedback_links = [YouSaidWeDidFeedback(item=i, quote=i.consent_to_quote) for i in items]
    page.objectives = list(
        Objective.objects.filter(code__in=["PAP3A:1", "PAP3A:2"], area__plan__is_current=True)
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def _call(handler, environ_factory, path):
    status_holder = {}

    def start_response(status, headers, exc_info=None):
        status_holder["status"] = status
        status_holder["headers"] = dict(headers)

    body = b"".join(handler(environ_factory(path), start_response))
    return status_holder["status"], status_holder["headers"], body


def _time(handler, environ_factory, path, n) -> float:
    """Mean seconds per request over n sequential requests."""
    start = time.perf_counter()
    for _ in range(n):
        _call(handler, environ_factory, path)
    return (time.perf_counter() - start) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400, help="per case per round")
    args = parser.parse_args()

    caches = settings.CACHES
    if os.environ.get("CACHE_URL"):
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["CACHE_URL"],
                "KEY_PREFIX": "cms-bench",
            }
        }
    middleware = list(settings.MIDDLEWARE)
    if "cms.cache.PageCacheMiddleware" not in middleware:
        middleware.insert(
            middleware.index("django.contrib.sessions.middleware.SessionMiddleware"),
            "cms.cache.PageCacheMiddleware",
        )
    static_root = WORK / "static"
    with override_settings(
        CACHES=caches, MIDDLEWARE=middleware, STATIC_ROOT=static_root, DEBUG=False, ALLOWED_HOSTS=["*"]
    ):
        from django.core.handlers.wsgi import WSGIHandler

        from cms import cache as page_cache

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        page = _seed()
        handler = WSGIHandler()  # WhiteNoise reads STATIC_ROOT now
        factory = RequestFactory(SERVER_NAME="localhost")

        def environ_for(path):
            path, _, query = path.partition("?")
            return factory._base_environ(
                PATH_INFO=path,
                QUERY_STRING=query,
                REQUEST_METHOD="GET",
                **{"wsgi.input": __import__("io").BytesIO(b"")},
            )

        page_url = page.url
        static_url = "/static/css/main.css"
        page_cache.page_cache_purge()  # never cache.clear(): Redis may be shared
        status, headers, body = _call(handler, environ_for, page_url)
        assert status.startswith("200"), status
        status, headers, body = _call(handler, environ_for, page_url)
        assert headers.get("X-Page-Cache") == "hit", headers
        with CaptureQueriesContext(connection) as ctx:
            _call(handler, environ_for, page_url)
        assert len(ctx.captured_queries) == 0, "a cache hit must not touch the database"
        status, headers, static_body = _call(handler, environ_for, static_url)
        assert status.startswith("200"), f"static file not served: {status}"

        results = {"static": [], "cached": [], "uncached": []}
        for _ in range(args.rounds):
            page_cache.ENABLED = True
            _call(handler, environ_for, page_url)  # make sure it is cached
            results["static"].append(_time(handler, environ_for, static_url, args.requests))
            results["cached"].append(_time(handler, environ_for, page_url, args.requests))
            page_cache.ENABLED = False
            results["uncached"].append(_time(handler, environ_for, page_url, max(20, args.requests // 10)))
            page_cache.ENABLED = True

    best = {k: min(v) for k, v in results.items()}
    median = {k: statistics.median(v) for k, v in results.items()}
    backend = caches["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"Database: {connection.vendor}; page cache backend: {backend}")
    print(
        f"Page: {page_url} ({len(body)} bytes); static file: {static_url} "
        f"({len(static_body)} bytes); {args.rounds} rounds x {args.requests} requests"
    )
    for key in ("static", "cached", "uncached"):
        print(
            f"  {key:9} best {best[key] * 1e3:8.3f} ms/request ({1 / best[key]:8.0f} req/s), "
            f"median {median[key] * 1e3:8.3f} ms"
        )
    print(
        f"Ratio cached page / static file : {best['cached'] / best['static']:.2f}x the time "
        f"(median {median['cached'] / median['static']:.2f}x)"
    )
    print(
        f"Ratio uncached / cached page    : {best['uncached'] / best['cached']:.1f}x the time "
        f"(median {median['uncached'] / median['cached']:.1f}x)"
    )


if __name__ == "__main__":
    main()
