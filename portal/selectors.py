"""Reads for the shared core: users' security state and the improvement plan."""

from django.db.models import Prefetch, QuerySet

from .models import KPI, KPIReading, Objective, Plan, PriorityArea, RatingEntry


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_totp = cached
    return cached


def plan_get_current() -> Plan | None:
    return Plan.objects.filter(is_current=True).first() or Plan.objects.first()


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.all()


def objectives_with_history(plan: Plan) -> QuerySet[Objective]:
    """Objectives of a plan with their area, sub-theme, ratings and KPIs in a fixed number of
    queries, whatever the number of objectives."""
    return (
        Objective.objects.for_plan(plan)
        .select_related("area", "sub_theme")
        .prefetch_related(
            Prefetch("ratings", queryset=RatingEntry.objects.order_by("as_of", "id")),
            Prefetch("kpis", queryset=KPI.objects.only("id", "code", "name")),
        )
    )


def kpis_with_readings(plan: Plan) -> QuerySet[KPI]:
    return KPI.objects.filter(plan=plan).prefetch_related(
        Prefetch("readings", queryset=KPIReading.objects.order_by("date")),
        Prefetch("objectives", queryset=Objective.objects.only("id", "code")),
    )


def plan_tree(plan: Plan) -> list[dict]:
    """Priority areas of a plan, each with its objectives, in plan order (3 queries + KPIs)."""
    areas = list(PriorityArea.objects.filter(plan=plan).prefetch_related("sub_themes"))
    by_area: dict[int, list[Objective]] = {a.pk: [] for a in areas}
    for objective in objectives_with_history(plan):
        by_area[objective.area_id].append(objective)
    return [{"area": area, "objectives": by_area[area.pk]} for area in areas]


def objective_get(plan: Plan, code: str) -> Objective | None:
    return objectives_with_history(plan).filter(code__iexact=code).first()


def plan_as_rows(plan: Plan) -> list[dict]:
    """One flat row per objective: the open-data shape behind /plan.csv."""
    rows = []
    for block in plan_tree(plan):
        area = block["area"]
        for objective in block["objectives"]:
            latest = objective.latest_rating()
            rows.append(
                {
                    "plan": plan.code,
                    "area_code": area.code,
                    "area_title": area.title,
                    "sub_theme": objective.sub_theme.code if objective.sub_theme else "",
                    "objective_code": objective.code,
                    "objective": objective.title,
                    "deadline": objective.deadline.isoformat() if objective.deadline else "",
                    "current_rating": latest.get_rating_display() if latest else "",
                    "rating_as_of": latest.as_of.isoformat() if latest else "",
                    "evidence": " ".join(objective.evidence),
                    "kpis": " ".join(k.code for k in objective.kpis.all()),
                }
            )
    return rows


def plan_as_dict(plan: Plan) -> dict:
    """The whole plan, with rating history and KPIs, as plain data for /plan.json."""
    areas = []
    for block in plan_tree(plan):
        area = block["area"]
        areas.append(
            {
                "code": area.code,
                "kind": area.kind,
                "title": area.title,
                "description": area.description,
                "sub_themes": [{"code": s.code, "title": s.title} for s in area.sub_themes.all()],
                "objectives": [
                    {
                        "code": o.code,
                        "sub_theme": o.sub_theme.code if o.sub_theme else None,
                        "title": o.title,
                        "deadline": o.deadline.isoformat() if o.deadline else None,
                        "impact": o.impact,
                        "evidence": o.evidence,
                        "current_rating": (o.latest_rating().rating if o.latest_rating() else None),
                        "rating_history": [
                            {"rating": r.rating, "as_of": r.as_of.isoformat(), "note": r.note}
                            for r in o.ratings.all()
                        ],
                    }
                    for o in block["objectives"]
                ],
            }
        )
    kpis = [
        {
            "code": k.code,
            "name": k.name,
            "unit": k.unit,
            "higher_is_better": k.higher_is_better,
            "baseline": (
                {"value": float(k.baseline_value), "date": _iso(k.baseline_date), "label": k.baseline_label}
                if k.baseline_value is not None
                else None
            ),
            "target": (
                {"value": float(k.target_value), "date": _iso(k.target_date)}
                if k.target_value is not None
                else None
            ),
            "readings": [
                {"value": float(r.value), "date": r.date.isoformat(), "label": r.label}
                for r in k.readings.all()
            ],
            "direction_of_travel": k.direction,
            "objectives": [o.code for o in k.objectives.all()],
        }
        for k in kpis_with_readings(plan)
    ]
    return {
        "code": plan.code,
        "title": plan.title,
        "rating_scale": plan.rating_scale,
        "starts_on": _iso(plan.starts_on),
        "ends_on": _iso(plan.ends_on),
        "priority_areas": areas,
        "kpis": kpis,
    }


def _iso(value):
    return value.isoformat() if value else None


def access_log_entries(
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet:
    """The access log, newest first, with the filters its screen offers."""
    from .models import AccessLogEntry

    qs = AccessLogEntry.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


def access_log_object_types() -> list[str]:
    from .models import AccessLogEntry

    return list(
        AccessLogEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
