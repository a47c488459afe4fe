from django.core.management.base import BaseCommand

from config.setup import site_setup


class Command(BaseCommand):
    help = (
        "Set up what every install needs (site pages, editors' page permissions, schools, "
        "themes linked to the plan, draft survey templates). Run after `migrate` and "
        "`load_plan` on every deploy and upgrade; safe to run again. Creates no logins "
        "and no answers."
    )

    def handle(self, *args, **options):
        site_setup(stdout=self.stdout)
