from .accounts import User, WorkerHeartbeat
from .audit import AccessLogEntry
from .plan import (
    KPI,
    KPIReading,
    Objective,
    Plan,
    PriorityArea,
    Rating,
    RatingEntry,
    SubTheme,
)

__all__ = [
    "AccessLogEntry",
    "KPI",
    "KPIReading",
    "Objective",
    "Plan",
    "PriorityArea",
    "Rating",
    "RatingEntry",
    "SubTheme",
    "User",
    "WorkerHeartbeat",
]
