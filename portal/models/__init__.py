from .accounts import User, WorkerHeartbeat
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
