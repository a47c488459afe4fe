from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import boardpacks.demo
import cms.demo
import feedback.demo
import surveys.demo
import youthforum.demo
from config.setup import site_setup
from portal.demo import demo_users_ensure

# Each app adds its own realistic demo content in `<app>/demo.py` (a `load(stdout)` function),
# in this order: packs are built from what the others loaded.
DEMO_MODULES = (feedback.demo, surveys.demo, youthforum.demo, cms.demo, boardpacks.demo)


class Command(BaseCommand):
    help = "Load demo content and one demo login per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even when DEBUG is off (never on a live site).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "load_demo creates known passwords; it runs only with DEBUG on "
                "(or --allow-production on a throwaway copy)."
            )
        site_setup(stdout=self.stdout)  # the real set-up first; the demo only adds to it
        logins = demo_users_ensure()
        for module in DEMO_MODULES:
            module.load(self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {logins[0].password})")
        for login in logins:
            line = f"  {login.role:<18} {login.email}"
            if login.totp_secret:
                line += f"  TOTP secret {login.totp_secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Staff roles need a two-factor code: add the secret to an "
            "authenticator app, or run `python manage.py totp_code EMAIL`."
        )
