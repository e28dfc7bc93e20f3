"""Check every case's timeline hash chain: python manage.py verify_chains"""

from django.core.management.base import BaseCommand, CommandError

from disputes.models import Case
from disputes.services.record import chains_verify_all


class Command(BaseCommand):
    help = "Recompute every case's timeline hash chain and name the first broken link of each case where it breaks."

    def handle(self, *args, **options):
        broken = 0
        for case, report in chains_verify_all():
            broken += 1
            self.stdout.write(f"BROKEN   case {case.pk} at entry {report.broken_at}: {report.reason}")
        total = Case.objects.count()
        if broken:
            raise CommandError(f"{broken} of {total} case(s) have a broken chain.")
        self.stdout.write(self.style.SUCCESS(f"OK: the chains of all {total} case(s) hold."))
