"""Benchmark: the Wagtail editor for a "You said, we did" draft built from 10 and from 500
feedback items (issue 19: a 121-item draft's editor was 11.5 MB and took about 15 s).

    .venv/bin/python bench/yswd_editor.py [--small 10] [--large 500] [--rounds 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sv_yswd .venv/bin/python bench/yswd_editor.py

Drafts are made the way staff make them (`cms.services.yswd_draft_create`); an engagement team
member signs in for real (password and TOTP, as tests/auth.py does) and GETs
/admin/pages/<id>/edit/ through the Django test client. Prints the page size, the query count,
the median and best time of each, and the ratio large/small. Without DATABASE_URL it uses a
throwaway SQLite file. Not a test: it lives outside tests/ and is never collected by pytest.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="yswd-editor-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TEXT = (
    "We waited {n} weeks for the EHC plan. Nobody told us why, the caseworker changed twice "
    "and every letter said something different about what happens next."
)


def _draft(index, size: int, run: str):
    from django.utils import timezone

    from cms.services import yswd_draft_create
    from feedback.models import FeedbackItem, FeedbackOriginal

    items = FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                channel="web_form",
                audience="parent_carer",
                received_at=timezone.now(),
                source_ref=f"bench-editor:{run}:{size}:{n}",
                consent_to_quote=n % 3 == 0,
                wants_reply=n % 2 == 0,
                analysis_state="done",
                analysed_at=timezone.now(),
                redacted_text=TEXT.format(n=20 + n),
                sentiment="negative",
                status="triaged",
            )
            for n in range(size)
        ]
    )
    FeedbackOriginal.objects.bulk_create(
        [FeedbackOriginal(item=i, text=i.redacted_text, contact_email=f"p{i.pk}@example.org") for i in items]
    )
    return yswd_draft_create(index=index, title=f"Bench draft {size} ({run})", items=items)


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(response.content), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from cms.models import YouSaidWeDidIndexPage
    from cms.services import site_ensure
    from portal.roles import Role
    from tests.auth import sign_in
    from tests.factories import user_with_role

    call_command("migrate", verbosity=0)
    site_ensure()
    index = YouSaidWeDidIndexPage.objects.get()
    run = str(int(time.time()))
    pages = {size: _draft(index, size, run) for size in (args.small, args.large)}
    client = Client()
    sign_in(client, user_with_role(Role.ENGAGEMENT_TEAM, totp=True, email=f"bench-editor-{run}@example.org"))

    results = {}
    for size, page in pages.items():
        url = f"/admin/pages/{page.pk}/edit/"
        _get(client, url)  # warm templates, Wagtail's caches
        runs = [_get(client, url) for _ in range(args.rounds)]
        times = [t for t, _, _ in runs]
        results[size] = {
            "median": statistics.median(times),
            "best": min(times),
            "bytes": runs[-1][1],
            "queries": runs[-1][2],
        }

    print(f"Database: {connection.vendor}; {args.rounds} GETs of each edit page after one warm-up")
    for size, r in results.items():
        print(
            f"  {size:4} items: {r['bytes'] / 1024:9.1f} KB, {r['queries']:3} queries, "
            f"median {r['median'] * 1e3:8.1f} ms, best {r['best'] * 1e3:8.1f} ms"
        )
    small, large = results[args.small], results[args.large]
    print(
        f"Ratio {args.large}/{args.small}: time {large['median'] / small['median']:.2f}x (median), "
        f"size {large['bytes'] / small['bytes']:.2f}x, queries {large['queries']}/{small['queries']}"
    )


if __name__ == "__main__":
    main()
