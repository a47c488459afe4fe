from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_DOMAIN, totp_current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not email.lower().endswith("@" + DEMO_DOMAIN):
            raise CommandError("Only demo accounts: real people's codes come from their own app.")
        authenticator = Authenticator.objects.filter(
            user__email=email.lower(), type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no two-factor authenticator.")
        self.stdout.write(totp_current_code(decrypt(authenticator.data["secret"])))
