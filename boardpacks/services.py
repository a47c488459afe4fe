"""Writes for board packs: build a versioned snapshot, tell the board it is ready, and the
monthly schedule."""

from __future__ import annotations

import logging
import time
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import Plan
from portal.queueing import enqueue_on_commit
from portal.roles import Role, group_name

from . import charts, conf
from .models import BoardPack, BoardPackChart
from .periods import Period, first_working_day, previous_month
from .selectors import SENTIMENT_LABELS, SENTIMENTS, board_pack_compute

logger = logging.getLogger(__name__)


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def board_pack_charts(data: dict) -> list[charts.ChartSpec]:
    """Draw every chart of a pack from its (already suppressed) data, and record on the data
    which chart belongs where."""
    threshold = data["threshold"]
    specs: list[charts.ChartSpec] = []
    head = data["headline"]
    prev_label = data["previous_period"]["short_label"]
    this_label = data["period"]["short_label"]
    for part, label in (("by_channel", "channel"), ("by_audience", "audience")):
        rows = head[part]
        if rows:
            specs.append(
                charts.grouped_bar(
                    key=f"feedback-{label}",
                    title=f"Feedback received by {label}",
                    categories=[r["label"] for r in rows],
                    series={
                        f"This period ({this_label})": [r["this"] for r in rows],
                        f"Previous period ({prev_label})": [r["last"] for r in rows],
                    },
                    threshold=threshold,
                    first_column=label.capitalize(),
                )
            )
            head[f"{part}_chart"] = f"feedback-{label}"
    trend = data["overall_trend"]
    specs.append(
        charts.stacked_trend(
            key="sentiment-trend",
            title="Sentiment of all feedback, last six periods",
            periods=[t["label"] for t in trend],
            series={SENTIMENT_LABELS[s]: [t[s] for t in trend] for s in SENTIMENTS},
            threshold=threshold,
        )
    )
    rep = data["representation"]["audience"]
    specs.append(
        charts.grouped_bar(
            key="representation",
            title="Who was heard: share of feedback and of survey responses",
            categories=[r["label"] for r in rep],
            series={
                "Feedback (% of items)": [r["feedback_share"] for r in rep],
                "Survey responses (% of responses)": [r["responses_share"] for r in rep],
            },
            threshold=threshold,
            unit="%",
            first_column="Group",
            counts=False,
        )
    )
    survey_kpis = data["survey_kpis"]
    if survey_kpis:
        specs.append(
            charts.grouped_bar(
                key="survey-kpis",
                title="Survey results against KPI targets",
                categories=[f"{r['survey']}: {r['question']}" for r in survey_kpis],
                series={
                    "Good answers (%)": [r["good_share"] for r in survey_kpis],
                    "KPI target (%)": [
                        r["kpi_target"] if r["kpi_unit"] == "%" else None for r in survey_kpis
                    ],
                },
                threshold=threshold,
                unit="%",
                first_column="Question",
                counts=False,  # percentages and targets: never "fewer than N"
            )
        )
    for kpi in data["kpis"]:
        values = {"Baseline": kpi["baseline"], "Latest": kpi["latest"], "Target": kpi["target"]}
        if sum(v is not None for v in values.values()) < 2:
            continue
        key = f"kpi-{kpi['slug']}"[:80]
        specs.append(charts.kpi_bars(key=key, title=kpi["name"], unit=kpi["unit"], values=values))
        kpi["chart"] = key
    for area in data["areas"]:
        for o in area["objectives"]:
            if not o["has_trend"]:
                continue
            key = f"objective-{o['slug']}"[:80]
            periods = [t["label"] for t in o["trend"]]
            series = {SENTIMENT_LABELS[s]: [t[s] for t in o["trend"]] for s in SENTIMENTS}
            if charts.has_values(series):
                spec = charts.stacked_trend(
                    key=key,
                    title=f"{o['code']}: sentiment of feedback, last six periods",
                    periods=periods,
                    series=series,
                    threshold=threshold,
                )
            else:  # too few of each sentiment to show: the volume alone may still be shown
                spec = charts.stacked_trend(
                    key=key,
                    title=f"{o['code']}: feedback received, last six periods",
                    periods=periods,
                    series={"Feedback items": [t["total"] for t in o["trend"]]},
                    threshold=threshold,
                )
            specs.append(spec)
            o["chart"] = key
    data["charts"] = [{"key": s.key, "title": s.title} for s in specs]
    return specs


def board_pack_build(
    *,
    plan: Plan,
    period_start: date,
    period_end: date,
    trigger: str = BoardPack.Trigger.ON_DEMAND,
    built_by=None,
    notify: bool = True,
) -> BoardPack:
    """Compute the pack for a plan and date range and store it as the next version.

    Reads run first (a fixed number of aggregate queries, see `selectors`); the write is one
    short transaction. Board members are emailed after commit, never before the pack exists.
    """
    period = Period(period_start, period_end)
    counter = _QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        data = board_pack_compute(plan=plan, period=period)
        specs = board_pack_charts(data)
        with transaction.atomic():
            Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one build per plan at a time
            latest = BoardPack.objects.filter(
                plan=plan, period_start=period.start, period_end=period.end
            ).aggregate(v=Max("version"))["v"]
            pack = BoardPack(
                plan=plan,
                period_start=period.start,
                period_end=period.end,
                version=(latest or 0) + 1,
                trigger=trigger,
                data=data,
                built_by=built_by if getattr(built_by, "pk", None) else None,
            )
            pack.full_clean(exclude=["data"])
            pack.save()
            BoardPackChart.objects.bulk_create(
                [
                    BoardPackChart(
                        pack=pack,
                        key=s.key,
                        position=i,
                        title=s.title[:250],
                        alt=s.alt,
                        columns=s.columns,
                        rows=s.rows,
                        svg=s.svg,
                    )
                    for i, s in enumerate(specs)
                ]
            )
            if notify:
                from .tasks import board_pack_notify_task

                enqueue_on_commit(board_pack_notify_task, pack.pk)
    pack.query_count = counter.count
    pack.build_seconds = round(time.perf_counter() - started, 3)
    BoardPack.objects.filter(pk=pack.pk).update(
        query_count=pack.query_count, build_seconds=pack.build_seconds
    )
    logger.info("Board pack %s built in %.2fs with %d queries", pack, pack.build_seconds, counter.count)
    return pack


def board_pack_readers():
    User = get_user_model()
    return (
        User.objects.filter(groups__name=group_name(Role.BOARD_MEMBER), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def board_pack_notify(*, pack_id: int) -> int:
    """Email each board member (one message each, so no one sees the others' addresses) that a
    pack is ready. The email holds the link only, no figures. Returns messages sent."""
    pack = BoardPack.objects.select_related("plan").filter(pk=pack_id, notified_at__isnull=True).first()
    if pack is None:
        return 0
    base = getattr(settings, "SITE_BASE_URL", "").rstrip("/")
    context = {
        "pack": pack,
        "url": base + reverse("boardpacks:detail", args=[pack.pk]),
        "period": pack.data.get("period", {}).get("label", ""),
    }
    subject = render_to_string("boardpacks/email/pack_ready_subject.txt", context).strip()
    body = render_to_string("boardpacks/email/pack_ready.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in board_pack_readers()]
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    BoardPack.objects.filter(pk=pack.pk).update(notified_at=timezone.now())
    return sent


def board_packs_build_monthly(*, today: date | None = None) -> list[int]:
    """On the first working day of a month, build last month's pack for each current plan.
    Any other day, do nothing. A pack already built by the schedule for that month is not
    built again (beat or a retried task may call this twice)."""
    today = today or timezone.localdate()
    if today != first_working_day(today.year, today.month, conf.extra_closed_days()):
        return []
    period = previous_month(today)
    built = []
    for plan in Plan.objects.filter(is_current=True):
        exists = BoardPack.objects.filter(
            plan=plan, period_start=period.start, period_end=period.end, trigger=BoardPack.Trigger.SCHEDULED
        ).exists()
        if exists:
            continue
        pack = board_pack_build(
            plan=plan, period_start=period.start, period_end=period.end, trigger=BoardPack.Trigger.SCHEDULED
        )
        built.append(pack.pk)
    return built
