"""Benchmark and quality report for the feedback analysis pipeline, held-out set first, then the
development and regression sets (feedback/evaluation/): safeguarding recall overall and per
category, false alarms, names and structured PII redacted, look-alikes kept, sentiment
agreement, top-3 objective hits, and pipeline items/second (trained models included) against
TextBlob sentiment alone in the same run, each beside its target.

    DATABASE_URL=sqlite:////tmp/sv_feedback_bench.sqlite3 .venv/bin/python bench/feedback_quality.py
    ... bench/feedback_quality.py --set heldout        # one set (repeatable)

It migrates the named database, loads the plan, trains and adopts the analysis models
(`manage.py train_analysis_models`, as a deployment would), then runs `manage.py
evaluate_analysis` with the arguments given. DATABASE_URL must be given explicitly (it refuses
to touch the default local database). Not a test (`__test__ = False`).
"""

import io
import os
import sys
from pathlib import Path

__test__ = False

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a database the benchmark may migrate and fill.")
    import django

    django.setup()
    from django.core.management import call_command

    from portal.plan_loader import plan_file_load

    call_command("migrate", verbosity=0)
    plan_file_load()
    call_command("train_analysis_models", stdout=io.StringIO())
    call_command("evaluate_analysis", *sys.argv[1:])


if __name__ == "__main__":
    main()
