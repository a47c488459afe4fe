from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.plan_loader import DEFAULT_PLAN_FILE, PlanFileError, plan_file_load


class Command(BaseCommand):
    help = (
        "Load the improvement plans (2024 Priority Action Plan, 2018 Written Statement of "
        "Action) from the data file. Safe to run again: it changes only what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_PLAN_FILE,
            help="Plan data file (JSON). Defaults to portal/data/plans.json.",
        )

    def handle(self, *args, file: Path, **options):
        try:
            report = plan_file_load(file)
        except PlanFileError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
