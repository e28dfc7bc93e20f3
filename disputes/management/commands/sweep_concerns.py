"""Run the response-clock sweep once: for cron, or by hand after an outage."""

from django.core.management.base import BaseCommand

from disputes.services.reminders import concerns_sweep


class Command(BaseCommand):
    help = "Flag client concerns that are due soon or overdue, and send the reminder e-mails."

    def handle(self, *args, **options):
        result = concerns_sweep()
        self.stdout.write(
            f"Flagged {result.overdue} overdue and {result.due_soon} due soon; "
            f"{result.emails_sent} e-mail(s) sent, {result.emails_failed} failed."
        )
