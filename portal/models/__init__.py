from .accounts import User, WorkerHeartbeat
from .audit import AccessLogEntry
from .boardpacks import BoardPack, BoardPackChart
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
    "BoardPack",
    "BoardPackChart",
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
