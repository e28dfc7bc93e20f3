"""Check a case file: python manage.py verify_casefile FILE.zip [--public-key KEY.pem] [--tsa-ca ROOT.pem]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disputes import timestamps
from disputes.services.proofs import given_keys
from disputes.services.verification import casefile_verify


class Command(BaseCommand):
    help = (
        "Check a Settle case file: the signature on its manifest, every file against the manifest, the "
        "timeline's hash chain, its seals and any trusted timestamp (within the limits CASEFILE_VERIFY_*). "
        "Needs neither the database nor the network."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the case file (.zip)")
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar="FILE",
            help="trust this public key (PEM) instead of this installation's own keys; may be repeated",
        )
        parser.add_argument(
            "--tsa-ca", metavar="FILE", help="the timestamp authority's root certificate(s), PEM (default: setting)"
        )

    def handle(self, *args, path: str, public_key: list[str], tsa_ca: str | None, **options):
        try:
            keys = given_keys([Path(name).read_bytes() for name in public_key]) if public_key else None
            roots = timestamps.load_roots(tsa_ca) if tsa_ca else None
        except (OSError, ValueError, timestamps.TimestampError) as error:
            raise CommandError(f"Cannot use the key or certificate given: {error}") from None
        try:
            with open(path, "rb") as source:
                report = casefile_verify(source, keys=keys, timestamp_roots=roots)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        if report.error:
            raise CommandError(report.error)
        for line in _lines(report):
            self.stdout.write(line)
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: the case file verifies."))
            return
        if report.verdict == "unsigned":
            raise CommandError("NOT SIGNED: the files match the manifest, but the manifest itself is not signed.")
        raise CommandError("The case file does NOT verify (see above).")


def _lines(report) -> list[str]:
    lines = {
        "valid": f"SIGNED   by {report.key_label} ({report.key_fingerprint})",
        "unknown_key": f"UNKNOWN  signed by a key not trusted here ({report.key_fingerprint})",
        "invalid": "FORGED   the signature does not match manifest.json: it was changed after signing",
        "missing": "UNSIGNED there is no signature",
    }
    out = [lines.get(report.signature, "UNSIGNED there is no signature")]
    out += [f"CHANGED  {name}" for name in report.changed]
    out += [f"MISSING  {name}" for name in report.missing]
    out += [f"EXTRA    {name}" for name in report.extra]
    out += [f"NOTE     {name} was missing from storage at export" for name in report.missing_at_export]
    if report.files_ok:
        out.append(f"FILES    all {report.checked} match the manifest")
    if report.manifest.get("format"):
        if report.chain_problem:
            out.append(f"CHAIN    {report.chain_problem}")
        elif report.chain.ok:
            withheld = f", {report.chain.withheld} private as fingerprints only" if report.chain.withheld else ""
            out.append(f"CHAIN    holds: {report.chain.length} entries{withheld}")
        else:
            out.append(f"BROKEN   chain at entry {report.chain.broken_at}: {report.chain.reason}")
        out += [f"SEAL     {problem}" for problem in report.seal_problems]
        if report.seals and not report.seal_problems:
            out.append(f"SEALS    {report.seals} hold")
    if report.timestamp == "valid":
        check = report.timestamp_check
        out.append(f"STAMPED  by {check.authority} at {check.stamped_at:%Y-%m-%d %H:%M:%S} UTC")
    elif report.timestamp:
        out.append(f"STAMP    {report.timestamp}: {report.timestamp_check.reason}")
    return out
