"""Retrain the analysis models with what staff taught them (`feedback.labels`): adopt the
candidate only if its held-out figures are no worse than the current models'."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Train a candidate on the shipped data plus staff labels, compare it with the current models on "
        "the held-out set (aggregate figures only) and adopt it only if it is no worse."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compare and report; never adopt or store")

    def handle(self, *args, **options):
        from feedback import labels
        from feedback.services import school_seed, theme_seed
        from portal.selectors import plan_get_current

        if plan_get_current() is None:
            raise CommandError("No current plan: run `manage.py load_plan` (or load_demo) first.")
        school_seed()
        theme_seed()
        result = labels.analysis_models_retrain(dry_run=options["dry_run"])
        self.stdout.write(f"Staff labels: {result['labels']}")
        self.stdout.write(f"{'Held-out figure':28} {'current':>10} {'candidate':>10}")
        for key in labels.GATE_FIGURES:
            cur, cand = result.get("current", {}).get(key), result.get("candidate", {}).get(key)
            self.stdout.write(f"{key:28} {_fmt(cur):>10} {_fmt(cand):>10}")
        self.stdout.write(f"Current {result['current_version']}; candidate {result['candidate_version']}")
        if result["adopted"]:
            self.stdout.write(self.style.SUCCESS(f"Adopted {result['candidate_version']}."))
        elif result["refused"]:
            self.stdout.write(self.style.WARNING("Refused: " + "; ".join(result["refused"])))
        else:
            self.stdout.write("Dry run: the candidate would be adopted; nothing stored.")
        if options["dry_run"] and result["refused"]:
            self.stdout.write("Dry run: nothing stored.")


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"
