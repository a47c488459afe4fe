"""Print the analysis pipeline's quality figures against feedback/evaluation/comments.jsonl."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Measure redaction, safeguarding, sentiment, objective tagging and speed on the labelled set."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=None, help="JSONL file (default: feedback/evaluation/comments.jsonl)"
        )
        parser.add_argument("--verbose", action="store_true", help="List misses and false alarms")
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
        path = Path(options["file"]) if options["file"] else quality.EVALUATION_FILE
        report = quality.evaluate(analysis_context(), quality.load_items(path))
        self.stdout.write(quality.format_report(report, verbose=options["verbose"]))
        if options["strict"] and quality.failures(report):
            raise CommandError("Quality targets not met")
