"""Print the analysis pipeline's quality figures: held-out set first, then development, then the
regression set (feedback/evaluation/), each beside its targets."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Measure safeguarding (overall and per category), redaction, look-alikes, sentiment, objective "
        "top-3 and speed on the labelled sets, held-out first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            dest="sets",
            action="append",
            choices=["heldout", "dev", "regression"],
            help="Only this set (repeatable). Default: all three, held-out first.",
        )
        parser.add_argument("--file", default=None, help="Any other JSONL file in the same format")
        parser.add_argument(
            "--verbose", action="store_true", help="List misses (never for the held-out set: aggregates only)"
        )
        parser.add_argument("--no-timing", action="store_true", help="Skip the speed measurement")
        parser.add_argument("--strict", action="store_true", help="Exit non-zero when a target is missed")

    def handle(self, *args, **options):
        from feedback import quality
        from feedback.selectors import analysis_context, analysis_context_reset
        from feedback.services import school_seed, theme_seed
        from portal.selectors import plan_get_current

        if plan_get_current() is None:
            raise CommandError("No current plan: run `manage.py load_plan` (or load_demo) first.")
        school_seed()
        theme_seed()
        analysis_context_reset()
        context = analysis_context()
        timing = not options["no_timing"]
        if options["file"]:
            path = Path(options["file"]).resolve()
            held = path == quality.HELDOUT_FILE.resolve()
            report = quality.evaluate(context, quality.load_items(path), with_misses=not held, timing=timing)
            self.stdout.write(
                quality.format_report(
                    report,
                    verbose=options["verbose"] and not held,
                    title=f"{path.name}",
                    targets=quality.HELDOUT_TARGETS,
                )
            )
            reports = {"file": report}
            targets = {"file": quality.HELDOUT_TARGETS}
        else:
            text, reports = quality.evaluate_sets(
                context, options["sets"], verbose=options["verbose"], timing=timing
            )
            self.stdout.write(text)
            targets = {
                k: quality.REGRESSION_TARGETS if k == "regression" else quality.HELDOUT_TARGETS
                for k in reports
            }
        if options["strict"] and any(quality.failures(r, targets[k]) for k, r in reports.items()):
            raise CommandError("Quality targets not met")
