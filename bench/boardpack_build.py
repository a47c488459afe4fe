"""Benchmark: build a board pack over 100,000 feedback items and 20,000 survey responses, and
compare its time with one raw SQL aggregate over the same rows, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sv_bench .venv/bin/python bench/boardpack_build.py
    DATABASE_URL=sqlite:////tmp/sv_bench.sqlite3 .venv/bin/python bench/boardpack_build.py

It migrates the named database, bulk-creates its own plan, feedback, tags, themes and survey
responses inside one transaction, and rolls everything back at the end, so the database is
left as it was. DATABASE_URL must be given explicitly (it refuses to touch the default local
database). Not a test: pytest never collects it (`bench/` is outside `testpaths`, the name does
not start with `test_`, and `__test__ = False`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

__test__ = False

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

PERIOD = (date(2024, 6, 1), date(2024, 6, 30))
SENTIMENTS = ["negative", "neutral", "positive", ""]
CHANNELS = ["web_form", "survey", "youth_forum", "focus_group", "email", "phone", "helpdesk"]
AUDIENCES = ["parent_carer", "young_person", "professional", "unknown"]
LOCALITIES = ["north", "central", "south", ""]
LIKERT = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree"]


class _Rollback(Exception):
    pass


def _seed(*, items: int, responses: int, rng: random.Random, batch: int = 5000):
    from django.utils import timezone

    from feedback.models import FeedbackItem, ItemTheme, ObjectiveTag, Theme
    from portal.models import KPI, KPIReading, Objective, Plan, PriorityArea, RatingEntry
    from surveys.models import Answer, Question, Response, Survey, SurveyVersion

    tag = f"bench{rng.randrange(10**8)}"
    plan = Plan.objects.create(code=tag, title="Benchmark plan", is_current=False)
    areas = PriorityArea.objects.bulk_create(
        [PriorityArea(plan=plan, code=f"B{n}", number=n, position=n, title=f"Area {n}") for n in range(1, 6)]
    )
    objectives = Objective.objects.bulk_create(
        [
            Objective(
                area=a,
                code=f"{a.code}:{m}",
                position=m,
                title=f"Objective {a.code}:{m}",
                deadline=date(2024, 3, 31) if m % 3 == 0 else None,
            )
            for a in areas
            for m in range(1, 9)
        ]
    )
    RatingEntry.objects.bulk_create(
        [
            RatingEntry(objective=o, rating=rng.choice(["red", "amber", "green"]), as_of=d)
            for o in objectives
            for d in (date(2024, 4, 1), date(2024, 6, 1))
        ]
    )
    kpis = KPI.objects.bulk_create(
        [
            KPI(plan=plan, code=f"{tag}-K{n}", name=f"KPI {n}", baseline_value=10 + n, target_value=50 + n)
            for n in range(10)
        ]
    )
    KPIReading.objects.bulk_create(
        [KPIReading(kpi=k, date=date(2024, m, 28), value=rng.randint(5, 60)) for k in kpis for m in (3, 6)]
    )
    themes = [Theme.objects.create(label=f"{tag}-t{n}", keywords="x") for n in range(10)]

    start = timezone.make_aware(datetime(2024, 1, 1))
    span = (timezone.make_aware(datetime(2024, 7, 1)) - start).total_seconds()
    made = 0
    while made < items:
        n = min(batch, items - made)
        rows = FeedbackItem.objects.bulk_create(
            [
                FeedbackItem(
                    channel=rng.choice(CHANNELS),
                    audience=rng.choice(AUDIENCES),
                    locality=rng.choice(LOCALITIES),
                    received_at=start + timedelta(seconds=rng.random() * span),
                    consent_to_quote=rng.random() < 0.3,
                    safeguarding=rng.random() < 0.01,
                    sentiment=rng.choice(SENTIMENTS),
                    analysis_state="done",
                    status=rng.choice(["new", "triaged", "responded"]),
                    redacted_text=f"Benchmark feedback {made + i} about waiting and communication.",
                )
                for i in range(n)
            ]
        )
        tags, item_themes = [], []
        for item in rows:
            for objective in rng.sample(objectives, rng.choice((1, 1, 2))):
                tags.append(
                    ObjectiveTag(
                        item=item,
                        objective=objective,
                        state=rng.choice(["suggested", "confirmed", "rejected"]),
                    )
                )
            if rng.random() < 0.5:
                item_themes.append(ItemTheme(item=item, theme=rng.choice(themes)))
        ObjectiveTag.objects.bulk_create(tags, batch_size=batch)
        ItemTheme.objects.bulk_create(item_themes, batch_size=batch)
        made += n

    survey = Survey.objects.create(
        title="Benchmark survey",
        slug=tag,
        audience="parent_carer",
        intro="x",
        privacy_notice="x",
        status="open",
    )
    for key, objective in (("q1", objectives[0]), ("q2", objectives[1]), ("q3", objectives[2])):
        q = Question(survey=survey, key=key, kind="likert", text=f"Question {key}", kpi=kpis[0])
        q.objectives.set([objective])
        q.save()
    version = SurveyVersion.objects.create(
        survey=survey, number=1, definition={"questions": []}, definition_hash="x"
    )
    made = 0
    while made < responses:
        n = min(batch, responses - made)
        rows = Response.objects.bulk_create(
            [
                Response(
                    survey=survey,
                    version=version,
                    status="submitted",
                    audience=rng.choice(AUDIENCES[:3]),
                    token_hash=f"{tag}-{made + i}",
                    nonce="x",
                    idempotency_key=f"{tag}-{made + i}",
                    submitted_at=start + timedelta(seconds=rng.random() * span),
                )
                for i in range(n)
            ]
        )
        Answer.objects.bulk_create(
            [
                Answer(response=r, survey=survey, question_key=k, kind="likert", value=rng.choice(LIKERT))
                for r in rows
                for k in ("q1", "q2", "q3")
            ],
            batch_size=batch,
        )
        made += n
    return plan, [o.pk for o in objectives]


def _raw_aggregate(objective_ids: list[int]):
    """The one hand-written aggregate the pack is compared with: feedback per objective and
    sentiment over the pack's six-month trend window."""
    from django.db import connection
    from django.utils import timezone

    start = timezone.make_aware(datetime(2024, 1, 1))
    end = timezone.make_aware(datetime(2024, 7, 1))
    marks = ", ".join(["%s"] * len(objective_ids))
    sql = (
        "SELECT t.objective_id, i.sentiment, COUNT(*) FROM feedback_objectivetag t "
        "JOIN feedback_feedbackitem i ON i.id = t.item_id "
        f"WHERE t.objective_id IN ({marks}) AND t.state IN ('confirmed', 'suggested') "
        "AND i.set_aside = '' AND i.received_at >= %s AND i.received_at < %s "
        "GROUP BY t.objective_id, i.sentiment"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*objective_ids, start, end])
        return cursor.fetchall()


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _profile(plan) -> None:
    from django.db import connection

    from boardpacks.periods import Period
    from boardpacks.selectors import board_pack_compute

    timings = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql[:160]))

    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        data = board_pack_compute(plan=plan, period=Period(*PERIOD))
    computed = time.perf_counter() - started
    from boardpacks.services import board_pack_charts

    started = time.perf_counter()
    board_pack_charts(data)
    drawn = time.perf_counter() - started
    print(
        f"  compute {computed * 1000:.1f} ms ({len(timings)} queries, "
        f"{sum(t for t, _ in timings) * 1000:.1f} ms "
        f"in the database), charts {drawn * 1000:.1f} ms"
    )
    for seconds, sql in sorted(timings, reverse=True)[:8]:
        print(f"  {seconds * 1000:8.1f} ms  {sql}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()[0]
            cursor.execute("SET LOCAL jit = off")
        started = time.perf_counter()
        board_pack_compute(plan=plan, period=Period(*PERIOD))
        print(f"  (server jit={jit}) compute with jit off: {(time.perf_counter() - started) * 1000:.1f} ms")
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {jit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="Print the slowest queries of one build.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit(
            "Set DATABASE_URL to a database the benchmark may use (it migrates it and rolls back its data)."
        )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from boardpacks.services import board_pack_build

    call_command("migrate", verbosity=0)
    rng = random.Random(2024)  # noqa: S311 - benchmark data, not security
    print(f"Database: {connection.vendor}")
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            plan, objective_ids = _seed(items=args.items, responses=args.responses, rng=rng)
            print(
                f"Seeded {args.items:,} feedback items and {args.responses:,} survey responses "
                f"in {time.perf_counter() - t0:.1f}s"
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            _raw_aggregate(objective_ids)  # warm caches for both sides alike
            raw_time, rows = _timed(lambda: _raw_aggregate(objective_ids), args.repeat)
            packs = []
            pack_time, _ = _timed(
                lambda: packs.append(
                    board_pack_build(plan=plan, period_start=PERIOD[0], period_end=PERIOD[1], notify=False)
                ),
                args.repeat,
            )
            pack = packs[-1]
            if args.profile:
                _profile(plan)
            print(
                f"Raw SQL aggregate ({len(rows)} groups): {raw_time * 1000:.1f} ms (median of {args.repeat})"
            )
            print(
                f"Board pack build ({pack.query_count} queries, {pack.charts.count()} charts): "
                f"{pack_time * 1000:.1f} ms (median of {args.repeat})"
            )
            print(f"Ratio pack / raw aggregate: {pack_time / raw_time:.2f}x (aim: within 3x)")
            raise _Rollback
    except _Rollback:
        print("Benchmark data rolled back.")


if __name__ == "__main__":
    main()
