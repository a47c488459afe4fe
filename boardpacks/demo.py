"""Demo board pack: the June 2024 pack for the 2024 Priority Action Plan, built from the demo
feedback and survey responses. `manage.py load_demo` calls `load()` last, after the other apps
have loaded their demo data. Idempotent: an existing June 2024 pack is left alone."""

from datetime import date

from portal.models import Plan

from .models import BoardPack
from .services import board_pack_build

DEMO_PLAN = "PAP-2024"
DEMO_START, DEMO_END = date(2024, 6, 1), date(2024, 6, 30)


def load(stdout) -> None:
    plan = Plan.objects.filter(code=DEMO_PLAN).first()
    if plan is None:
        stdout.write("Board pack demo: skipped (the PAP-2024 plan is not loaded; run load_plan).\n")
        return
    existing = BoardPack.objects.filter(plan=plan, period_start=DEMO_START, period_end=DEMO_END).first()
    if existing is None:
        existing = board_pack_build(
            plan=plan,
            period_start=DEMO_START,
            period_end=DEMO_END,
            trigger=BoardPack.Trigger.DEMO,
            notify=False,
        )
        stdout.write(f"Board pack demo: built {existing}.\n")
    stdout.write(
        f"Board pack demo: read it at /board/packs/{existing.pk}/ "
        f"(PDF: /board/packs/{existing.pk}/pack.pdf) as board@demo.send-voice.test.\n"
    )
