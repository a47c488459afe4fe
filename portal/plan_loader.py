"""Loads improvement plans from the data file written from the seed documents.

The whole file is validated before anything is written, and everything is written in one
transaction, so a bad file loads nothing. Loading is idempotent: records are matched on their
codes and only changed fields are written, so a second run reports no changes.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from .models import KPI, KPIReading, Objective, Plan, PriorityArea, Rating, RatingEntry, SubTheme

DEFAULT_PLAN_FILE = Path(__file__).resolve().parent / "data" / "plans.json"


class PlanFileError(Exception):
    """The plan file is malformed; the message names the line or field."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict, model: str) -> None:
        bucket[model] = bucket.get(model, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        if not self.changed:
            return ["Nothing to change: the plans are already loaded."]
        out = [f"Created {n} {model}" for model, n in sorted(self.created.items())]
        out += [f"Updated {n} {model}" for model, n in sorted(self.updated.items())]
        return out


# --- validation ------------------------------------------------------------------------------

_PLAN_KEYS = {
    "code",
    "title",
    "rating_scale",
    "starts_on",
    "ends_on",
    "summary",
    "source",
    "priority_areas",
    "kpis",
}
_AREA_KEYS = {
    "code",
    "kind",
    "number",
    "title",
    "description",
    "response",
    "intended_outcomes",
    "sub_themes",
    "objectives",
}
_OBJECTIVE_KEYS = {"code", "sub_theme", "title", "deadline", "impact", "evidence", "ratings"}
_RATING_KEYS = {"rating", "as_of", "note"}
_KPI_KEYS = {
    "code",
    "name",
    "unit",
    "higher_is_better",
    "baseline",
    "target",
    "readings",
    "objectives",
    "source",
}


def _check_keys(obj, allowed: set[str], where: str, required: set[str]) -> None:
    if not isinstance(obj, dict):
        raise PlanFileError(f"{where}: expected an object")
    unknown = set(obj) - allowed
    if unknown:
        raise PlanFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    missing = required - set(obj)
    if missing:
        raise PlanFileError(f"{where}: missing field(s) {', '.join(sorted(missing))}")


def _text(obj, key, where, *, required=False, max_length=None) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise PlanFileError(f"{where}.{key}: expected text")
    if "\x00" in value:
        raise PlanFileError(f"{where}.{key}: contains a NUL character")
    value = value.strip()
    if required and not value:
        raise PlanFileError(f"{where}.{key}: must not be empty")
    if max_length and len(value) > max_length:
        raise PlanFileError(f"{where}.{key}: longer than {max_length} characters")
    return value


def _date(obj, key, where) -> date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PlanFileError(f"{where}.{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _number(obj, key, where) -> Decimal:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlanFileError(f"{where}.{key}: expected a number")
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise PlanFileError(f"{where}.{key}: {value!r} is not a number") from None


def parse_plan_file(path: Path) -> list[dict]:
    """Read and validate the file; return clean plain data or raise PlanFileError."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}, line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    _check_keys(data, {"plans"}, "file", {"plans"})
    if not isinstance(data["plans"], list) or not data["plans"]:
        raise PlanFileError("plans: expected a non-empty list")
    plans = [_clean_plan(p, f"plans[{i}]") for i, p in enumerate(data["plans"])]
    codes = [p["code"] for p in plans]
    if len(codes) != len(set(codes)):
        raise PlanFileError("plans: plan codes must be unique")
    return plans


def _clean_plan(p, where) -> dict:
    _check_keys(p, _PLAN_KEYS, where, {"code", "title", "priority_areas"})
    scale = p.get("rating_scale", "BRAG")
    if scale not in Plan.Scale.values:
        raise PlanFileError(f"{where}.rating_scale: must be one of {', '.join(Plan.Scale.values)}")
    plan = {
        "code": _text(p, "code", where, required=True, max_length=40),
        "title": _text(p, "title", where, required=True, max_length=200),
        "rating_scale": scale,
        "starts_on": _date(p, "starts_on", where),
        "ends_on": _date(p, "ends_on", where),
        "summary": _text(p, "summary", where),
        "source": _text(p, "source", where, max_length=200),
    }
    where_ = f"{where} ({plan['code']})"
    areas = [
        _clean_area(a, f"{where_}.priority_areas[{i}]") | {"position": i}
        for i, a in enumerate(p["priority_areas"])
    ]
    objective_codes = [o["code"] for a in areas for o in a["objectives"]]
    duplicates = {c for c in objective_codes if objective_codes.count(c) > 1}
    if duplicates:
        raise PlanFileError(f"{where_}: objective codes repeated: {', '.join(sorted(duplicates))}")
    area_codes = [a["code"] for a in areas]
    if len(area_codes) != len(set(area_codes)):
        raise PlanFileError(f"{where_}: priority area codes must be unique")
    kpis = [
        _clean_kpi(k, f"{where_}.kpis[{i}]", set(objective_codes)) for i, k in enumerate(p.get("kpis", []))
    ]
    kpi_codes = [k["code"] for k in kpis]
    if len(kpi_codes) != len(set(kpi_codes)):
        raise PlanFileError(f"{where_}: KPI codes must be unique")
    plan["areas"] = areas
    plan["kpis"] = kpis
    return plan


def _clean_area(a, where) -> dict:
    _check_keys(a, _AREA_KEYS, where, {"code", "title"})
    kind = a.get("kind", PriorityArea.Kind.PRIORITY_ACTION)
    if kind not in PriorityArea.Kind.values:
        raise PlanFileError(f"{where}.kind: must be one of {', '.join(PriorityArea.Kind.values)}")
    number = a.get("number", 0)
    if not isinstance(number, int) or number < 0:
        raise PlanFileError(f"{where}.number: expected a whole number")
    area = {
        "code": _text(a, "code", where, required=True, max_length=20),
        "kind": kind,
        "number": number,
        "title": _text(a, "title", where, required=True, max_length=200),
        "description": _text(a, "description", where),
        "response": _text(a, "response", where),
        "intended_outcomes": _text(a, "intended_outcomes", where),
    }
    sub_themes = []
    for i, s in enumerate(a.get("sub_themes", [])):
        sw = f"{where}.sub_themes[{i}]"
        _check_keys(s, {"code", "title"}, sw, {"code", "title"})
        sub_themes.append(
            {
                "code": _text(s, "code", sw, required=True, max_length=20),
                "title": _text(s, "title", sw, required=True),
            }
        )
    sub_codes = {s["code"] for s in sub_themes}
    objectives = []
    for i, o in enumerate(a.get("objectives", [])):
        ow = f"{where}.objectives[{i}]"
        _check_keys(o, _OBJECTIVE_KEYS, ow, {"code", "title"})
        code = _text(o, "code", ow, required=True, max_length=20)
        ow = f"{ow} ({code})"
        sub = o.get("sub_theme")
        if sub is not None and sub not in sub_codes:
            raise PlanFileError(f"{ow}.sub_theme: {sub!r} is not a sub-theme of {area['code']}")
        evidence = o.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
            raise PlanFileError(f"{ow}.evidence: expected a list of codes")
        ratings = []
        for j, r in enumerate(o.get("ratings", [])):
            rw = f"{ow}.ratings[{j}]"
            _check_keys(r, _RATING_KEYS, rw, {"rating", "as_of"})
            if r["rating"] not in Rating.values:
                raise PlanFileError(f"{rw}.rating: {r['rating']!r} is not one of {', '.join(Rating.values)}")
            as_of = _date(r, "as_of", rw)
            if as_of is None:
                raise PlanFileError(f"{rw}.as_of: required")
            ratings.append({"rating": r["rating"], "as_of": as_of, "note": _text(r, "note", rw)})
        objectives.append(
            {
                "code": code,
                "position": i,
                "sub_theme": sub,
                "title": _text(o, "title", ow, required=True),
                "deadline": _date(o, "deadline", ow),
                "impact": _text(o, "impact", ow),
                "evidence": list(dict.fromkeys(e.strip() for e in evidence if e.strip())),
                "ratings": ratings,
            }
        )
    area["sub_themes"] = sub_themes
    area["objectives"] = objectives
    return area


def _clean_kpi(k, where, objective_codes: set[str]) -> dict:
    _check_keys(k, _KPI_KEYS, where, {"code", "name"})
    code = _text(k, "code", where, required=True, max_length=40)
    where = f"{where} ({code})"
    higher = k.get("higher_is_better", True)
    if not isinstance(higher, bool):
        raise PlanFileError(f"{where}.higher_is_better: expected true or false")
    baseline = target = None
    if k.get("baseline") is not None:
        b = k["baseline"]
        _check_keys(b, {"value", "date", "label"}, f"{where}.baseline", {"value"})
        baseline = {
            "value": _number(b, "value", f"{where}.baseline"),
            "date": _date(b, "date", f"{where}.baseline"),
            "label": _text(b, "label", f"{where}.baseline", max_length=40),
        }
    if k.get("target") is not None:
        t = k["target"]
        _check_keys(t, {"value", "date"}, f"{where}.target", {"value"})
        target = {
            "value": _number(t, "value", f"{where}.target"),
            "date": _date(t, "date", f"{where}.target"),
        }
    readings = []
    for i, r in enumerate(k.get("readings", [])):
        rw = f"{where}.readings[{i}]"
        _check_keys(r, {"value", "date", "label", "note"}, rw, {"value", "date"})
        on = _date(r, "date", rw)
        if on is None:
            raise PlanFileError(f"{rw}.date: required")
        readings.append(
            {
                "value": _number(r, "value", rw),
                "date": on,
                "label": _text(r, "label", rw, max_length=40),
                "note": _text(r, "note", rw, max_length=250),
            }
        )
    linked = k.get("objectives", [])
    if not isinstance(linked, list):
        raise PlanFileError(f"{where}.objectives: expected a list of objective codes")
    unknown = [c for c in linked if c not in objective_codes]
    if unknown:
        raise PlanFileError(f"{where}.objectives: unknown objective code(s) {', '.join(unknown)}")
    return {
        "code": code,
        "name": _text(k, "name", where, required=True, max_length=250),
        "unit": _text(k, "unit", where, max_length=20) or "%",
        "higher_is_better": higher,
        "baseline": baseline,
        "target": target,
        "readings": readings,
        "objectives": linked,
        "source": _text(k, "source", where, max_length=250),
    }


# --- writing ---------------------------------------------------------------------------------


def _upsert(model, report: LoadReport, lookup: dict, values: dict):
    """Create or update one row, counting only real changes so a re-run reports nothing."""
    obj = model.objects.filter(**lookup).first()
    label = model._meta.verbose_name_plural
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.count(report.created, label)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.full_clean()
        obj.save()
        report.count(report.updated, label)
    return obj


@transaction.atomic
def plans_load(plans: list[dict], *, current_code: str | None = None) -> LoadReport:
    """Write validated plan data (from `parse_plan_file`) into the database."""
    report = LoadReport()
    for p in plans:
        plan = _upsert(
            Plan,
            report,
            {"code": p["code"]},
            {
                "title": p["title"],
                "rating_scale": p["rating_scale"],
                "starts_on": p["starts_on"],
                "ends_on": p["ends_on"],
                "summary": p["summary"],
                "source": p["source"],
            },
        )
        objectives_by_code = {}
        for a in p["areas"]:
            area = _upsert(
                PriorityArea,
                report,
                {"plan": plan, "code": a["code"]},
                {
                    "kind": a["kind"],
                    "number": a["number"],
                    "position": a["position"],
                    "title": a["title"],
                    "description": a["description"],
                    "response": a["response"],
                    "intended_outcomes": a["intended_outcomes"],
                },
            )
            subs = {
                s["code"]: _upsert(SubTheme, report, {"area": area, "code": s["code"]}, {"title": s["title"]})
                for s in a["sub_themes"]
            }
            for o in a["objectives"]:
                objective = _upsert(
                    Objective,
                    report,
                    {"area": area, "code": o["code"]},
                    {
                        "sub_theme": subs.get(o["sub_theme"]),
                        "position": o["position"],
                        "title": o["title"],
                        "deadline": o["deadline"],
                        "impact": o["impact"],
                        "evidence": o["evidence"],
                    },
                )
                objectives_by_code[o["code"]] = objective
                for r in o["ratings"]:
                    _upsert(
                        RatingEntry,
                        report,
                        {"objective": objective, "as_of": r["as_of"]},
                        {"rating": r["rating"], "note": r["note"]},
                    )
        for k in p["kpis"]:
            b, t = k["baseline"] or {}, k["target"] or {}
            kpi = _upsert(
                KPI,
                report,
                {"plan": plan, "code": k["code"]},
                {
                    "name": k["name"],
                    "unit": k["unit"],
                    "higher_is_better": k["higher_is_better"],
                    "baseline_value": b.get("value"),
                    "baseline_date": b.get("date"),
                    "baseline_label": b.get("label", ""),
                    "target_value": t.get("value"),
                    "target_date": t.get("date"),
                    "source": k["source"],
                },
            )
            wanted = {objectives_by_code[c].pk for c in k["objectives"]}
            if {o.pk for o in kpi.objectives.all()} != wanted:
                kpi.objectives.set(wanted)
                kpi.save()
                report.count(report.updated, "KPI objective links")
            for r in k["readings"]:
                _upsert(
                    KPIReading,
                    report,
                    {"kpi": kpi, "date": r["date"]},
                    {"value": r["value"], "label": r["label"], "note": r["note"]},
                )
    if current_code is None and plans:
        current_code = plans[0]["code"]
    if current_code and not Plan.objects.filter(code=current_code, is_current=True).exists():
        Plan.objects.exclude(code=current_code).update(is_current=False)
        Plan.objects.filter(code=current_code).update(is_current=True)
        report.count(report.updated, "current plan")
    return report


def plan_file_load(path: Path = DEFAULT_PLAN_FILE) -> LoadReport:
    """Validate the file, then load it in one transaction."""
    return plans_load(parse_plan_file(path))
