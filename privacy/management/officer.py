"""What the data protection officer's commands share: the person's email (checked before
anything is read or changed) and who ran the request and why, for the access log."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email


class OfficerCommand(BaseCommand):
    """A command about one person, found by email. Subclasses add their own options in
    `add_options` and get a checked `email`, `by` and `reason` in `handle`."""

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's email address (check their identity first).")
        self.add_options(parser)
        parser.add_argument("--by", default="", help="Your email, recorded in the access log.")
        parser.add_argument("--reason", default="", help="The request's reference, e.g. 'SAR 2026-014'.")

    def add_options(self, parser) -> None:
        pass

    def execute(self, *args, **options):
        email = options.get("email", "")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"'{email}' is not an email address.") from exc
        return super().execute(*args, **options)
