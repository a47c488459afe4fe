"""The plan tracker extensions: area pages, BRAG timeline, KPI charts with text alternatives and
tables, linked updates, and feedback volume/sentiment with small numbers suppressed."""

import re

import pytest

from cms.charts import kpi_chart_svg
from cms.selectors import plan_feedback, published_count

from .conftest import make_item, publish_update

pytestmark = pytest.mark.django_db


def _objective(plan, code):
    from portal.models import Objective

    return Objective.objects.get(code=code, area__plan=plan)


def test_published_count():
    # Zero is shown: "nobody told us about this" is the finding (the one rule, portal.disclosure).
    assert [published_count(n) for n in (0, 1, 4, 5, 12)] == ["0"] + ["fewer than 5"] * 2 + ["5", "12"]


def feedback_summary(plan, objective):
    return plan_feedback(plan).objective(objective.pk)


def test_feedback_summary_counts_confirmed_and_suggested_not_rejected_or_set_aside(plan):
    objective = _objective(plan, "PAP2B:2")
    for _ in range(4):
        make_item("bad", objective=objective, sentiment="negative")
    make_item("good", objective=objective, sentiment="positive", tag_state="suggested")
    make_item("rejected", objective=objective, tag_state="rejected")
    make_item("spam", objective=objective, set_aside="spam")
    summary = feedback_summary(plan, objective)
    assert summary["total"] == "5"
    counts = {s["value"]: s["count"] for s in summary["sentiments"]}
    # Positive 1 and negative 4 are small; nobody was neutral, and that is shown as 0.
    assert counts == {"positive": "fewer than 5", "neutral": "0", "negative": "fewer than 5"}


def test_one_small_cell_triggers_secondary_suppression(plan):
    objective = _objective(plan, "PAP3A:1")
    for _ in range(6):
        make_item("bad", objective=objective, sentiment="negative")
    for _ in range(7):
        make_item("good", objective=objective, sentiment="positive")
    make_item("meh", objective=objective, sentiment="neutral")
    counts = {s["value"]: s["count"] for s in feedback_summary(plan, objective)["sentiments"]}
    assert counts["neutral"] == "fewer than 5"
    assert counts["negative"] == "not shown"  # else 14 - 7 - 6 reveals the neutral count
    assert counts["positive"] == "7"


def test_small_totals_are_suppressed_on_pages(client, site, plan):
    objective = _objective(plan, "PAP2B:2")
    make_item("only one", objective=objective)
    html = client.get("/plan/objective/PAP2B_2/").content.decode()
    assert "Pieces of feedback about this: <strong>fewer than 5</strong>" in html
    assert "How people felt" not in html


def test_objective_page_timeline_charts_tables_and_updates(client, site, plan, yswd_index):
    objective = _objective(plan, "PAP3A:1")
    publish_update(yswd_index, title="Faster plans", objectives=[objective])
    html = client.get("/plan/objective/PAP3A_1/").content.decode()
    assert 'class="app-timeline"' in html
    assert "Faster plans" in html
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="kpi-\d+-title kpi-\d+-desc"', html)
    assert "<desc id=" in html and "Direction of travel:" in html
    assert "The numbers in this chart" in html


def test_area_page(client, site, plan):
    response = client.get("/plan/area/PAP2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PAP2B:2" in html and "What people told us about this area" in html
    assert client.get("/plan/area/NOPE/").status_code == 404


def test_tracker_shows_feedback_volume_per_objective(client, site, plan):
    objective = _objective(plan, "PAP2B:2")
    for _ in range(6):
        make_item("x", objective=objective)
    make_item("y", objective=_objective(plan, "PAP3A:1"))
    html = client.get("/plan/").content.decode()
    # 6 is shown, 1 is "fewer than 5", and objectives nobody wrote about show 0.
    assert ">6</td>" in html and ">fewer than 5</td>" in html and ">0</td>" in html


def test_chart_escapes_and_describes(plan):
    from portal.models import KPI

    kpi = KPI.objects.filter(plan=plan).exclude(readings=None).first()
    kpi.name = "<script>alert(1)</script> weeks"
    svg = str(kpi_chart_svg(kpi))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title id=" in svg and "Target" in svg or kpi.target_value is None
