from django.core.management.base import BaseCommand

from surveys.tasks import send_due_invitations, send_reminders


class Command(BaseCommand):
    help = "Queue due survey invitations and reminders now (the beat schedule does this too)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_due_invitations()} invitations and {send_reminders()} reminders queued.")
