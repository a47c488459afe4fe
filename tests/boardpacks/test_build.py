"""Building a pack from a seeded month: exact numbers, quotes, suppression, snapshots,
versions, the monthly schedule and the query budget."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boardpacks.models import BoardPack
from boardpacks.periods import Period, first_working_day, previous_month, trend_periods
from boardpacks.selectors import board_pack_compute
from boardpacks.services import board_pack_build, board_packs_build_monthly
from feedback.models import FeedbackItem
from portal import disclosure
from portal.models import Plan
from portal.roles import Role

from .conftest import JUNE, seed_month

pytestmark = pytest.mark.django_db


def _objective(data: dict, code: str) -> dict:
    return next(o for area in data["areas"] for o in area["objectives"] if o["code"] == code)


def _build(plan, **kwargs):
    kwargs.setdefault("notify", False)
    return board_pack_build(plan=plan, period_start=JUNE[0], period_end=JUNE[1], **kwargs)


def test_headline_counts_match_the_seeded_month(seeded):
    data = _build(seeded.plan).data
    head = data["headline"]
    # June: objective A 26 items (9 negative, 5 neutral, 12 positive), objective B 3 + 1 whose
    # only tag was rejected; 7 set-aside items are never counted. May: 5.
    june = FeedbackItem.objects.filter(
        set_aside="", received_at__date__gte=JUNE[0], received_at__date__lte=JUNE[1]
    ).count()
    assert june == 30
    assert head["feedback"] == {"this": 30, "last": 5}
    channels = {r["key"]: r for r in head["by_channel"]}
    # Phone (4) is small; hiding it alone could be undone from the total, so email (10) is
    # hidden too ("not shown": it is not small).
    assert channels["web_form"]["this"] == 16
    assert channels["phone"]["this"] is None and channels["email"]["this"] == disclosure.NOT_SHOWN
    assert channels["web_form"]["last"] == 5
    audiences = {r["key"]: r["this"] for r in head["by_audience"]}
    # Young people (4) are few, so professionals (10) are not shown either.
    assert audiences == {"parent_carer": 16, "young_person": None, "professional": disclosure.NOT_SHOWN}
    # Two alerts on June feedback (one closed): small numbers.
    assert head["safeguarding"] == {"raised": None, "closed": None}
    assert head["you_said_we_did"]["feedback_responded"] == 10


def test_objective_counts_sentiment_shares_and_trend(seeded):
    data = _build(seeded.plan).data
    a_code, b_code, c_code = (o.code for o in seeded.objectives)
    a = _objective(data, a_code)
    assert a["volume"] == {"this": 26, "last": 5, "confirmed": 26}
    assert a["sentiment"]["counts"] == {"negative": 9, "neutral": 5, "positive": 12, "not_analysed": 0}
    assert a["sentiment"]["shares"] == {
        "negative": round(100 * 9 / 26, 1),
        "neutral": round(100 * 5 / 26, 1),
        "positive": round(100 * 12 / 26, 1),
    }
    trend = {t["label"]: t for t in a["trend"]}
    assert list(trend) == ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024", "Jun 2024"]
    assert trend["May 2024"]["negative"] == 5 and trend["May 2024"]["total"] == 5
    assert trend["Mar 2024"]["total"] is None  # 2 items: suppressed
    assert [t["label"] for t in a["themes"]] == ["bp access", "bp waiting"]
    assert a["themes"][0]["count"] == 10 and a["themes"][1]["count"] == 6
    assert a["responded"] == 10
    b = _objective(data, b_code)
    assert b["volume"]["this"] is None  # 3 suggested tags (the rejected one is not counted)
    assert b["sentiment"]["counts"]["negative"] is None and b["sentiment"]["shares"]["negative"] is None
    assert c_code in {g["code"] for g in data["gaps"]}
    assert b_code not in {g["code"] for g in data["gaps"]}


def test_survey_results_against_kpi_and_kpi_values(seeded):
    data = _build(seeded.plan).data
    a = _objective(data, seeded.objectives[0].code)
    [result] = a["surveys"]
    assert result["answered"] == 14  # June only; May's 6 answers are outside the period
    assert result["good_share"] == round(100 * 8 / 14, 1)
    assert result["kpi_code"] == "KPI-EHCP-20WK"
    kpi = seeded.kpi
    assert result["kpi_target"] == (float(kpi.target_value) if kpi.target_value is not None else None)
    assert data["survey_kpis"] == [result]
    # KPIs: computed independently from the readings known at the end of June 2024.
    by_code = {k["code"]: k for k in data["kpis"]}
    assert set(by_code) == set(seeded.plan.kpis.values_list("code", flat=True))
    for kpi in seeded.plan.kpis.prefetch_related("readings"):
        readings = sorted((r for r in kpi.readings.all() if r.date <= JUNE[1]), key=lambda r: r.date)
        row = by_code[kpi.code]
        assert row["baseline"] == (float(kpi.baseline_value) if kpi.baseline_value is not None else None)
        assert row["latest"] == (float(readings[-1].value) if readings else None)
        assert row["target"] == (float(kpi.target_value) if kpi.target_value is not None else None)
        if readings and (len(readings) > 1 or kpi.baseline_value is not None):
            before = readings[-2].value if len(readings) > 1 else kpi.baseline_value
            expected = (
                "no_change"
                if readings[-1].value == before
                else "improving"
                if (readings[-1].value > before) == kpi.higher_is_better
                else "worsening"
            )
        else:
            expected = "unknown"
        assert row["direction"] == expected, kpi.code
    twenty = by_code["KPI-EHCP-20WK"]
    assert twenty["baseline"] == 4.0 and twenty["latest"] == 58.5 and twenty["direction"] == "improving"


def test_quotes_are_consented_never_safeguarding_and_show_the_range(seeded):
    data = _build(seeded.plan).data
    a = _objective(data, seeded.objectives[0].code)
    texts = [q["text"] for q in a["quotes"]]
    assert texts == [seeded.texts["negative"], seeded.texts["neutral"], seeded.texts["positive"]]
    quoted_items = FeedbackItem.objects.filter(pk__in=[q["item"] for q in a["quotes"]])
    assert all(item.may_quote for item in quoted_items)
    everything = str(data)
    for secret in ("no_consent", "safeguarding", "alerted"):
        assert seeded.texts[secret] not in everything
    for area in data["areas"]:
        for o in area["objectives"]:
            assert len(o["quotes"]) <= 3


def test_small_number_rules():
    """The pack uses the one rule (`portal.disclosure`, proved in tests/test_disclosure.py)."""
    assert disclosure.count(0) == 0 and disclosure.count(4) is None and disclosure.count(5) == 5
    # One small cell in a shown group: the next smallest is hidden as well ("not shown").
    assert disclosure.group({"a": 20, "b": 3, "c": 7}).cells == {
        "a": 20,
        "b": None,
        "c": disclosure.NOT_SHOWN,
    }
    assert disclosure.group({"a": 20, "b": 3, "c": 2}).cells == {"a": 20, "b": None, "c": None}
    assert disclosure.group({"a": 20, "b": 0, "c": 7}).cells == {"a": 20, "b": 0, "c": 7}
    assert disclosure.share(8, 14) == 57.1
    assert disclosure.share(10, 12) is None  # the 2 others could be worked out
    assert disclosure.share(3, 20) is None


def test_pack_is_a_snapshot_and_rebuilding_makes_a_new_version(seeded):
    first = _build(seeded.plan)
    a_code = seeded.objectives[0].code
    assert first.version == 1 and first.charts.count() >= 5
    FeedbackItem.objects.filter(objective_tags__objective=seeded.objectives[0]).update(sentiment="positive")
    first.refresh_from_db()
    assert _objective(first.data, a_code)["sentiment"]["counts"]["negative"] == 9
    second = _build(seeded.plan)
    assert second.version == 2
    assert _objective(second.data, a_code)["sentiment"]["counts"]["negative"] == 0
    assert BoardPack.objects.filter(plan=seeded.plan).count() == 2


def test_changes_since_the_last_pack(seeded):
    may = board_pack_build(
        plan=seeded.plan, period_start=date(2024, 5, 1), period_end=date(2024, 5, 31), notify=False
    )
    june = _build(seeded.plan)
    assert june.data["previous_pack"]["id"] == may.pk
    changes = " ".join(june.data["changes"])
    assert "Feedback received: 30 this period, up from 5" in changes


def test_board_members_are_emailed_after_commit(seeded, make_user, django_capture_on_commit_callbacks):
    readers = [make_user(Role.BOARD_MEMBER, totp=True) for _ in range(2)]
    make_user(Role.PARENT_CARER)
    with django_capture_on_commit_callbacks(execute=True):
        pack = _build(seeded.plan, notify=True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in readers)
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert f"/board/packs/{pack.pk}/" in mail.outbox[0].body
    assert seeded.texts["positive"] not in mail.outbox[0].body
    pack.refresh_from_db()
    assert pack.notified_at is not None


def test_query_count_does_not_grow_with_the_data(plan):
    def queries(scale):
        seed = seed_month(plan, scale=scale)
        with CaptureQueriesContext(connection) as ctx:
            board_pack_compute(plan=plan, period=Period(*JUNE))
        FeedbackItem.objects.all().delete()
        seed.survey.responses.all().delete()
        seed.survey.delete()
        return len(ctx.captured_queries)

    small, large = queries(1), queries(12)
    assert small == large
    assert small < 40


def test_build_records_its_query_count(seeded):
    pack = _build(seeded.plan)
    assert 0 < pack.query_count < 50


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2024, 1, date(2024, 1, 2)),  # New Year's Day on a Monday
        (2024, 4, date(2024, 4, 2)),  # Easter Monday
        (2023, 5, date(2023, 5, 2)),  # early May bank holiday on the 1st
        (2024, 6, date(2024, 6, 3)),  # 1 June 2024 was a Saturday
        (2024, 7, date(2024, 7, 1)),
        (2022, 1, date(2022, 1, 4)),  # New Year on Saturday: substitute Monday 3rd
    ],
)
def test_first_working_day(year, month, expected):
    assert first_working_day(year, month) == expected


def test_periods():
    june = Period(*JUNE)
    assert june.previous() == Period(date(2024, 5, 1), date(2024, 5, 31))
    assert previous_month(date(2024, 7, 1)) == june
    assert [p.start for p in trend_periods(june, 6)][0] == date(2024, 1, 1)
    custom = Period(date(2024, 6, 10), date(2024, 6, 19))
    assert custom.previous() == Period(date(2024, 5, 31), date(2024, 6, 9))


def test_monthly_job_builds_once_on_the_first_working_day(seeded):
    Plan.objects.exclude(pk=seeded.plan.pk).update(is_current=False)
    assert board_packs_build_monthly(today=date(2024, 7, 2)) == []
    built = board_packs_build_monthly(today=date(2024, 7, 1))
    assert len(built) == 1
    pack = BoardPack.objects.get(pk=built[0])
    assert (pack.period_start, pack.period_end, pack.trigger) == (
        date(2024, 6, 1),
        date(2024, 6, 30),
        "scheduled",
    )
    assert board_packs_build_monthly(today=date(2024, 7, 1)) == []  # a retry does not duplicate


def test_management_command(seeded):
    out = io.StringIO()
    call_command(
        "build_board_pack",
        "--plan",
        seeded.plan.code,
        "--from",
        "2024-06-01",
        "--to",
        "2024-06-30",
        "--no-email",
        stdout=out,
    )
    assert "Built" in out.getvalue()
    assert BoardPack.objects.filter(plan=seeded.plan, period_start=date(2024, 6, 1)).exists()


def test_demo_pack_is_idempotent(plan):
    from boardpacks import demo as demo_packs

    out = io.StringIO()
    demo_packs.load(out)
    demo_packs.load(out)
    assert BoardPack.objects.filter(plan__code="PAP-2024", period_start=date(2024, 6, 1)).count() == 1
