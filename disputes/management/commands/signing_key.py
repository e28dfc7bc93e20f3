"""Print this installation's public signing key, or start a new one: python manage.py signing_key [--rotate]"""

from django.core.management.base import BaseCommand, CommandError

from disputes import signing


class Command(BaseCommand):
    help = (
        "Print the public key Settle signs case files and seals with (made on first use). With --all, every key "
        "ever used; with --rotate, start a new key (older keys keep only their public halves, so what they "
        "signed still verifies)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="start a new signing key")
        parser.add_argument("--all", action="store_true", help="list retired keys too")

    def handle(self, *args, rotate: bool, all: bool, **options):
        try:
            key = signing.rotate() if rotate else signing.current_key()
            keys = signing.public_keys()
        except (signing.SigningKeyError, OSError) as error:
            raise CommandError(str(error)) from None
        if rotate:
            self.stdout.write(self.style.SUCCESS(f"New signing key {key.public.fingerprint}."))
        for public in reversed(keys) if all else [key.public]:
            state = "current" if public.is_current else f"retired {public.retired_at:%Y-%m-%d}"
            self.stdout.write(f"# Ed25519 · {state} · since {public.created_at:%Y-%m-%d %H:%M} UTC")
            self.stdout.write(f"# fingerprint {public.fingerprint}")
            self.stdout.write(public.pem)
