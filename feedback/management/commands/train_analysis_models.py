"""Train the pipeline's learned models (safeguarding screen, sentiment, objective suggestions)
from the shipped labelled data and make them the active models every worker uses."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Train the safeguarding, sentiment and objective models on feedback/evaluation/comments.jsonl + "
        "dev.jsonl (never the held-out set), print the cross-validated figures and adopt them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Train and report, store nothing")

    def handle(self, *args, **options):
        from feedback import learning
        from feedback.selectors import analysis_context_reset

        candidate = learning.model_train()
        self.stdout.write(
            f"Trained {candidate.version} on {candidate.training['examples']} labelled items "
            f"({', '.join(candidate.training['files'])})"
        )
        self.stdout.write("Cross-validated figures (5 folds; thresholds and weights chosen on them):")
        self.stdout.write(json.dumps(candidate.metrics, indent=2, default=str))
        self.stdout.write(f"Objective weights: {json.dumps(candidate.models.fusion)}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing stored.")
            return
        row = learning.model_adopt(candidate)
        analysis_context_reset()
        self.stdout.write(self.style.SUCCESS(f"Adopted {row.version}: the active analysis models."))
