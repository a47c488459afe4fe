import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_plan_tracker_lists_every_objective_with_rating_words(client, site, plan):
    response = client.get("/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    for code in ["PAP1:1", "PAP2B:2", "PAP3A:1", "PAP5D:1"]:
        assert code in html
    assert "Red</strong>" in html and "Amber</strong>" in html
    assert "How we measure progress" in html


def test_plan_tracker_query_count_does_not_depend_on_objectives(client, site, plan):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/plan/")
    # Fixed number of queries: pages, site, plan, areas, objectives + prefetches, KPIs.
    assert len(ctx.captured_queries) < 30


def test_objective_page_shows_history_and_deadline(client, site, plan):
    response = client.get("/plan/objective/PAP2B_2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Objective PAP2B:2" in html
    assert "Red" in html and "1 June 2024" in html


def test_unknown_objective_is_404(client, site, plan):
    assert client.get("/plan/objective/PAP9_9/").status_code == 404


def test_old_plan_can_be_viewed(client, site, plan):
    response = client.get("/plan/?plan=WSOA-2018")
    assert response.status_code == 200
    assert "WSOA-A" in response.content.decode()


def test_plan_json_is_open_data(client, plan):
    response = client.get("/plan.json")
    assert response.status_code == 200
    body = json.loads(response.content)
    objectives = [o for a in body["plan"]["priority_areas"] for o in a["objectives"]]
    by_code = {o["code"]: o for o in objectives}
    assert len([c for c in by_code if c.startswith("PAP")]) == 33
    assert by_code["PAP2B:2"]["current_rating"] == "red"
    assert by_code["PAP2B:2"]["rating_history"][0]["as_of"] == "2024-06-01"
    kpi = next(k for k in body["plan"]["kpis"] if "20 weeks" in k["name"])
    assert kpi["baseline"]["value"] == 4.0
    assert kpi["direction_of_travel"] == "improving"
    assert "WSOA-2018" in body["other_plans"]


def test_plan_csv_has_one_row_per_objective(client, plan):
    response = client.get("/plan.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 33
    red = [r["objective_code"] for r in rows if r["current_rating"] == "Red"]
    assert red == ["PAP2B:2"]


def test_plan_exports_when_no_plan_loaded(client, db):
    assert client.get("/plan.json").status_code == 404
    assert client.get("/plan.csv").status_code == 404


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    assert response.status_code == 200


def test_easy_read_toggle_sets_cookie_and_refuses_offsite_redirects(client, site):
    response = client.get("/easy-read/?on=1&next=/plan/")
    assert response.status_code == 302 and response["Location"] == "/plan/"
    assert response.cookies["easy_read"].value == "1"
    response = client.get("/easy-read/?on=1&next=https://evil.example/")
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "app-easy-read" in html and "Switch off easy read" in html
