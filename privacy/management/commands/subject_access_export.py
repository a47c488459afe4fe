"""A subject access export for the data protection officer: `manage.py subject_access_export
person@example.org --out request-2026-014.json`. Everything held about the person (their account
if they have one, and data held under the email without an account), as JSON. The run is
recorded in the access log."""

import os
from pathlib import Path

from privacy.management.officer import OfficerCommand
from privacy.subject_access import officer_export


class Command(OfficerCommand):
    help = "Export everything held about one person (by email) as JSON, for a subject access request."

    def add_options(self, parser):
        parser.add_argument("--out", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--include-withheld",
            action="store_true",
            help="Include the text of feedback flagged for safeguarding (review it before release).",
        )

    def handle(self, *args, email, out=None, include_withheld=False, by="", reason="", **options):
        body = officer_export(email=email, include_withheld=include_withheld, by=by, reason=reason)
        if out:
            path = Path(out)
            # It holds personal data: created readable by the officer only, never briefly by all.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
            self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(body.encode())} bytes)."))
        else:
            self.stdout.write(body)
