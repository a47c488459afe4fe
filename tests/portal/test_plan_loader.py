import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import KPI, Objective, Plan, PriorityArea, RatingEntry
from portal.plan_loader import DEFAULT_PLAN_FILE, PlanFileError, parse_plan_file

pytestmark = pytest.mark.django_db

PAP_CODES = [
    "PAP1:1",
    "PAP1:2",
    "PAP1:3",
    "PAP1:4",
    "PAP1:5",
]


def _pap_objectives():
    return Objective.objects.filter(area__plan__code="PAP-2024", area__kind="priority_action")


def test_load_plan_loads_all_33_pap_objectives_with_pap2b2_red(capsys):
    call_command("load_plan")
    out = capsys.readouterr().out
    assert "Created 2 plans" in out
    objectives = _pap_objectives()
    assert objectives.count() == 33
    codes = set(objectives.values_list("code", flat=True))
    assert set(PAP_CODES) <= codes and "PAP2B:2" in codes and "PAP5D:1" in codes
    latest = {o.code: o.latest_rating().rating for o in objectives.prefetch_related("ratings")}
    assert latest["PAP2B:2"] == "red"
    assert {c for c, r in latest.items() if r != "amber"} == {"PAP2B:2"}
    assert RatingEntry.objects.filter(objective__code="PAP2B:2").get().as_of.isoformat() == "2024-06-01"
    assert PriorityArea.objects.filter(plan__code="PAP-2024", kind="area_for_improvement").count() == 4
    assert Plan.objects.get(code="PAP-2024").is_current
    assert Plan.objects.filter(code="WSOA-2018", rating_scale="RAG").exists()


def test_objective_carries_deadline_text_and_evidence():
    call_command("load_plan")
    objective = Objective.objects.get(code="PAP1:1")
    assert objective.deadline.isoformat() == "2024-04-30"
    assert objective.title.startswith("By April 2024")
    assert "E1" in objective.evidence and "E102" in objective.evidence
    assert objective.impact


def test_kpi_ehcp_20_weeks_baseline_and_direction_is_derived():
    call_command("load_plan")
    kpi = KPI.objects.get(plan__code="PAP-2024", name__icontains="20 weeks")
    assert kpi.baseline_value == Decimal("4.00")
    assert Decimal("53.70") in [r.value for r in kpi.readings.all()]
    assert kpi.direction == "improving"
    assert kpi.direction_arrow == "↑"


def test_load_plan_twice_changes_nothing(capsys):
    call_command("load_plan")
    counts = (
        Plan.objects.count(),
        Objective.objects.count(),
        KPI.objects.count(),
        RatingEntry.objects.count(),
    )
    capsys.readouterr()
    call_command("load_plan")
    assert "Nothing to change" in capsys.readouterr().out
    assert counts == (
        Plan.objects.count(),
        Objective.objects.count(),
        KPI.objects.count(),
        RatingEntry.objects.count(),
    )


def _write(tmp_path, data) -> str:
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(data, indent=1) if not isinstance(data, str) else data)
    return str(path)


def _real():
    return json.loads(DEFAULT_PLAN_FILE.read_text())


def test_syntax_error_names_the_line_and_loads_nothing(tmp_path):
    path = _write(tmp_path, '{"plans": [\n  {"code": "X",\n  "title": oops}\n]}')
    with pytest.raises(CommandError, match=r"line 3 column"):
        call_command("load_plan", file=path)
    assert Plan.objects.count() == 0


def test_bad_field_names_the_field_and_loads_nothing(tmp_path):
    data = _real()
    data["plans"][0]["priority_areas"][2]["objectives"][0]["deadline"] = "April 2024"
    path = _write(tmp_path, data)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_plan", file=path)
    message = str(excinfo.value)
    assert "priority_areas[2]" in message and "deadline" in message and "Nothing was loaded" in message
    # The first plan's earlier areas were valid, but the load is all or nothing.
    assert Plan.objects.count() == 0 and Objective.objects.count() == 0


def test_unknown_rating_and_unknown_kpi_objective_are_rejected(tmp_path):
    data = _real()
    data["plans"][0]["priority_areas"][0]["objectives"][0]["ratings"][0]["rating"] = "purple"
    with pytest.raises(PlanFileError, match="purple"):
        parse_plan_file(_write(tmp_path, data))
    data = _real()
    data["plans"][0]["kpis"][0]["objectives"] = ["PAP9:9"]
    with pytest.raises(PlanFileError, match="PAP9:9"):
        parse_plan_file(_write(tmp_path, data))


def test_unknown_keys_and_nul_bytes_are_rejected(tmp_path):
    data = _real()
    data["plans"][0]["colour"] = "blue"
    with pytest.raises(PlanFileError, match="unknown field"):
        parse_plan_file(_write(tmp_path, data))
    data = _real()
    data["plans"][0]["title"] = "bad\x00title"
    with pytest.raises(PlanFileError, match="NUL"):
        parse_plan_file(_write(tmp_path, data))


def test_a_change_in_the_file_updates_only_that_record(tmp_path, capsys):
    call_command("load_plan")
    data = _real()
    data["plans"][0]["priority_areas"][0]["objectives"][0]["ratings"].append(
        {"rating": "green", "as_of": "2024-09-01", "note": "Youth forum running"}
    )
    call_command("load_plan", file=_write(tmp_path, data))
    out = capsys.readouterr().out
    assert "Created 1 BRAG ratings" in out
    objective = Objective.objects.get(code="PAP1:1")
    assert objective.latest_rating().rating == "green"
