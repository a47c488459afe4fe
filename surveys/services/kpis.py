"""Survey answers as readings of the plan's satisfaction KPIs."""

from __future__ import annotations

from decimal import Decimal

from ..selectors import kpi_satisfaction


def kpi_reading_from_surveys(*, kpi_code: str, on, date_from=None, date_to=None, label: str = ""):
    """Record today's value of a satisfaction KPI (e.g. KPI-SATISFACTION-PARENTS) from every
    survey question tagged with it. Returns the reading, or None when nobody answered."""
    from portal.models import KPI
    from portal.services import kpi_record_reading

    value, n = kpi_satisfaction(kpi_code=kpi_code, date_from=date_from, date_to=date_to)
    kpi = KPI.objects.filter(code=kpi_code).order_by("-plan__is_current").first()
    if value is None or kpi is None:
        return None
    return kpi_record_reading(
        kpi=kpi, value=Decimal(str(value)), on=on, label=label, note=f"From {n} survey answers"
    )
