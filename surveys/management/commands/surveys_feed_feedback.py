from django.core.management.base import BaseCommand

from surveys.services import answers_feed_feedback


class Command(BaseCommand):
    help = "Feed free-text survey answers not yet fed into the feedback pipeline. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10000)

    def handle(self, *args, limit=10000, **options):
        fed = answers_feed_feedback(limit=limit)
        self.stdout.write(f"{fed} free-text answers fed to feedback.")
