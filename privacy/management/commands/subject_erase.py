"""Erasure for the data protection officer: `manage.py subject_erase person@example.org --yes`.
Deletes or anonymises everything held about the person (see `privacy.subject_access`), prints
what was done and what was deliberately kept, and records the run in the access log."""

import json

from django.core.management.base import CommandError

from privacy.management.officer import OfficerCommand
from privacy.subject_access import StaffAccountRefused, officer_erase


class Command(OfficerCommand):
    help = "Erase everything held about one person (by email). Cannot be undone."

    def add_options(self, parser):
        parser.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")
        parser.add_argument(
            "--allow-staff",
            action="store_true",
            help="Also erase a staff account (its access log entries keep the email, for accountability).",
        )

    def handle(self, *args, email, yes=False, allow_staff=False, by="", reason="", **options):
        if not yes:
            raise CommandError("Erasure cannot be undone: run again with --yes to confirm.")
        try:
            report = officer_erase(email=email, allow_staff=allow_staff, by=by, reason=reason)
        except StaffAccountRefused as exc:
            raise CommandError(
                "This is a staff account. Remove their roles in the admin, or add --allow-staff to "
                "erase it (what they did stays attributable in the access log)."
            ) from exc
        self.stdout.write(json.dumps(report, indent=2, default=str))
        for note in report["kept"]:
            self.stdout.write(self.style.WARNING(f"Kept: {note}"))
        self.stdout.write(self.style.SUCCESS("Erased."))
