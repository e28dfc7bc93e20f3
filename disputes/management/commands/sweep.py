"""Run the periodic sweep once: for cron, or by hand after an outage."""

from django.core.management.base import BaseCommand

from disputes.services.sweep import sweep_run


class Command(BaseCommand):
    help = "Flag due concerns and passed letter deadlines, and send the e-mails that are due."

    def handle(self, *args, **options):
        self.stdout.write(sweep_run().summary())
