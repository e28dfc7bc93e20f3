"""Check a case file ZIP against its manifest: python manage.py verify_casefile FILE.zip"""

from django.core.management.base import BaseCommand, CommandError

from disputes.services.verification import casefile_verify


class Command(BaseCommand):
    help = (
        "Check that every file in a Settle case file is present and matches its SHA-256 "
        "(within the same limits as the page: CASEFILE_VERIFY_*)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the case file (.zip)")

    def handle(self, *args, path: str, **options):
        try:
            with open(path, "rb") as source:
                report = casefile_verify(source)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        if report.error:
            raise CommandError(report.error)
        for name in report.changed:
            self.stdout.write(f"CHANGED  {name}")
        for name in report.missing:
            self.stdout.write(f"MISSING  {name}")
        for name in report.extra:
            self.stdout.write(f"EXTRA    {name}")
        for name in report.missing_at_export:
            self.stdout.write(f"NOTE     {name} was missing from storage at export and is not in the file")
        if not report.ok:
            raise CommandError(
                f"Case file does NOT verify: {len(report.changed)} changed, {len(report.missing)} missing, "
                f"{len(report.extra)} extra."
            )
        self.stdout.write(self.style.SUCCESS(f"OK: all {report.checked} files match their SHA-256."))
