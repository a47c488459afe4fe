from .accounts import User, WorkerHeartbeat
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
