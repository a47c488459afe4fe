"""Benchmark: survey submissions per second against a bare Django view that inserts one row,
measured in the same run on the same database, and their ratio.

    .venv/bin/python bench/surveys_submit.py [-n 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sv_surveys .venv/bin/python bench/surveys_submit.py

A submission is the real POST to /surveys/<slug>/check/ (session lookup, idempotency check,
locking, re-validation, the answer rows, the feedback hook). Drafts are prepared beforehand and
not timed. Not a test: it lives outside tests/ and is never collected by pytest.
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare_insert(request):
    """The floor: parse a POST and insert one row."""
    from django.utils import timezone

    from portal.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(worker=uuid.uuid4().hex, seen_at=timezone.now())
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare_insert), path("", include("config.urls"))]


def build_survey():
    from surveys.demo import PRIVACY, TEMPLATES
    from surveys.services import survey_create

    spec = dict(TEMPLATES[0])
    questions = spec.pop("questions")
    return survey_create(privacy_notice=PRIVACY, questions=questions, **spec)


def prepare_drafts(survey, n):
    from surveys.services import response_save_answers, response_start, response_token

    clients = []
    answers = {
        "outcome": "an-ehc-plan-was-issued",
        "within-20-weeks": "yes",
        "kept-informed": "agree",
        "who-informed": ["my-sen-caseworker", "other"],
        "who-informed.other": "A friend",
        "views-heard": "agree",
        "overall": "4",
        "requested-on": "2024-03-02",
        "plan-quality": {
            "the-plan-describes-my-childs-needs-accurately": "agree",
            "the-plan-says-clearly-what-support-my-child-will-get": "neither",
            "health-and-social-care-advice-is-in-the-plan": "disagree",
        },
        "one-change": "Clearer letters and one named contact, please.",
    }
    for _ in range(n):
        response = response_start(survey=survey)
        response_save_answers(response=response, values=answers)
        client = Client()
        session = client.session
        session[f"surveys:draft:{survey.pk}"] = response_token(response)
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        clients.append((client, response.idempotency_key))
    return clients


def timed(label, calls):
    start = time.perf_counter()
    for call in calls:
        call()
    elapsed = time.perf_counter() - start
    rate = len(calls) / elapsed
    print(f"{label:<34} {len(calls):>6} requests in {elapsed:7.2f}s = {rate:8.1f}/s")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="requests per measurement")
    parser.add_argument("--profile", action="store_true", help="print a profile of the submissions")
    parser.add_argument(
        "--inline-feed",
        action="store_true",
        help="run the feedback feed and analysis inside the request (eager Celery, "
        "as on a laptop with no broker) instead of queueing it as in production",
    )
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(ROOT_URLCONF=__name__, SURVEYS_RATE_LIMIT_COUNT=10**9):
            from surveys.models import Answer, Response

            survey = build_survey()
            bare_client = Client()
            bare_client.post("/bench/bare/")  # warm up
            bare = timed("bare view (insert one row)", [lambda: bare_client.post("/bench/bare/")] * args.n)
            drafts = prepare_drafts(survey, args.n)

            def submitter(client, key):
                def call():
                    resp = client.post(f"/surveys/{survey.slug}/check/", {"idempotency_key": key})
                    assert resp.status_code == 302 and resp["Location"].endswith("/done/"), resp

                return call

            calls = [submitter(c, k) for c, k in drafts]
            queued = []
            if not args.inline_feed:
                # Production queues the feed to a worker after commit; stand in for the broker
                # publish so the worker's work is not counted in the web request.
                from surveys import tasks

                tasks.feed_feedback.delay = queued.append
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                surveys = profiler.runcall(timed, "survey submission (check answers)", calls)
                pstats.Stats(profiler).sort_stats("cumtime").print_stats(40)
            else:
                surveys = timed("survey submission (check answers)", calls)
            assert Response.objects.filter(status="submitted").count() == args.n
            print(
                f"answer rows stored: {Answer.objects.count()}; database: {connection.vendor}; "
                f"feedback feed {'inline' if args.inline_feed else f'queued ({len(queued)} jobs)'}"
            )
            print(
                f"ratio survey/bare: {surveys / bare:.2f} "
                f"(a submission costs {bare / surveys:.1f}x a one-row insert)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
