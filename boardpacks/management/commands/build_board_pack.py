"""Build a board pack on demand: `manage.py build_board_pack --plan PAP-2024 --from 2024-06-01
--to 2024-06-30`. Rebuilding the same dates makes a new version; earlier versions are kept."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from boardpacks.models import BoardPack
from boardpacks.services import board_pack_build
from portal.models import Plan


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date like 2024-06-30.") from exc


class Command(BaseCommand):
    help = "Build a board pack for a plan and a date range (a new version each time)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="Plan code, e.g. PAP-2024.")
        parser.add_argument("--from", dest="date_from", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--no-email", action="store_true", help="Do not email board members.")

    def handle(self, *args, plan, date_from, date_to, no_email=False, **options):
        plan_obj = Plan.objects.filter(code=plan).first()
        if plan_obj is None:
            known = ", ".join(Plan.objects.values_list("code", flat=True)) or "none loaded"
            raise CommandError(f"No plan with code '{plan}' (plans: {known}).")
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("--to must be on or after --from.")
        pack = board_pack_build(
            plan=plan_obj,
            period_start=start,
            period_end=end,
            trigger=BoardPack.Trigger.ON_DEMAND,
            notify=not no_email,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {pack} (pack {pack.pk}, {pack.charts.count()} charts, {pack.query_count} queries, "
                f"{pack.build_seconds:.2f}s). Read it at /board/packs/{pack.pk}/"
            )
        )
