"""Receive one e-mail on standard input and file it on the case its reply address names.

Mail servers deliver to programs this way. For Postfix, for example, a
transport or an alias for the reply domain that runs

    /path/to/venv/bin/python /path/to/manage.py mail_in --recipient "${recipient}"

The exit status follows sysexits.h, which mail servers understand: 0 filed,
held or already there; 67 (EX_NOUSER) no case has this reply address, so
the server bounces it to the sender; 65 (EX_DATAERR) not readable mail;
75 (EX_TEMPFAIL) the database could not be reached, so the server tries
again later.
"""

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from disputes import mailparse
from disputes.services.mail_in import mail_receive

EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 0, 65, 67, 75


class Command(BaseCommand):
    help = "Read one raw RFC 822 message on standard input and file it on its case."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="The envelope recipient the mail server delivered to (may be given more than once).",
        )

    def handle(self, *args, recipient, **options):
        raw = sys.stdin.buffer.read()
        try:
            filed = mail_receive(raw=raw, recipients=recipient)
        except mailparse.MailUnreadable as error:
            self.stderr.write(f"Not filed: {error}")
            sys.exit(EX_DATAERR)
        except DatabaseError as error:
            self.stderr.write(f"Not filed now, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        if filed.outcome == "no_case":
            self.stderr.write(f"Not filed: {filed.detail}")
            sys.exit(EX_NOUSER)
        self.stdout.write(f"{filed.outcome}: case {filed.case_id}. {filed.detail}")
