"""What Settle writes into a new letter: the prefilled subject, body and payment line, and the cover
e-mail that carries a letter Settle sends, each in the client's language (disputes.languages).

The freelancer edits all of it before anything is final; services.letters keeps the rules.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from disputes.languages import client_language
from disputes.models import Case, Letter, Milestone


def unpaid_milestones(case: Case) -> list[Milestone]:
    return list(case.project.milestones.filter(paid_on__isnull=True).order_by("due_date", "id"))


def letter_defaults(*, case: Case, kind: str) -> dict[str, Any]:
    """Prefilled values for a new letter, taken from the case's facts, in the client's language."""
    agreement = case.project.agreements.order_by("-version").first()
    unpaid = unpaid_milestones(case)
    owed = sum((m.amount for m in unpaid), Decimal("0")) or case.amount_in_dispute
    words = {"client": case.client.name, "project": case.project.title, "days": settings.LETTER_DEADLINE_DAYS}
    with translation.override(client_language(case.client)):
        if kind == Letter.Kind.FINAL_NOTICE:
            subject = _("Final notice before legal action: %(project)s") % words
            body = "\n\n".join(
                [
                    _("Dear %(client)s,") % words,
                    _("Despite my earlier payment demand, the amount below for “%(project)s” is still unpaid.") % words,
                    _(
                        "This is my final notice. Unless the full amount reaches me by the date shown below, "
                        "I will start legal action to recover it, together with any costs the law allows, "
                        "without further warning."
                    ),
                    _("I would still prefer to settle this between us. Payment by that date closes the matter."),
                    _("Yours sincerely,"),
                ]
            )
        else:
            subject = _("Payment demand: %(project)s") % words
            body = "\n\n".join(
                [
                    _("Dear %(client)s,") % words,
                    _(
                        "I completed the work we agreed for “%(project)s”. The payments listed below are overdue "
                        "and, despite my reminders, remain unpaid."
                    )
                    % words,
                    _(
                        "Please pay the total amount within %(days)s days, by the date shown below, "
                        "using the payment details in this letter."
                    )
                    % words,
                    _(
                        "If the payment has not reached me by then, I will take the next step without further "
                        "notice: a claim with the platform's support team or other formal action."
                    ),
                    _("Yours sincerely,"),
                ]
            )
        instructions = _("Bank transfer or the platform's payment system, quoting the project's name.")
    return {
        "agreement": agreement,
        "subject": subject,
        "body": body,
        "amount_owed": owed,
        "payment_instructions": instructions,
        "channel": "email",
        "legal_action_date": timezone.localdate() + datetime.timedelta(days=settings.LETTER_DEADLINE_DAYS)
        if kind == "final_notice"
        else None,
    }


def letter_cover_note(letter: Letter, user: User) -> str:
    """The short e-mail that carries a letter Settle sends (editable before sending), in the letter's language."""
    with translation.override(letter.language):
        greeting = _("Dear %(client)s,") % {"client": letter.case.client.name}
        text = _(
            "Please find attached my letter “%(subject)s” as a PDF. "
            "It sets out the amount owed, the payment deadline and how to pay."
        ) % {"subject": letter.subject}
    return f"{greeting}\n\n{text}\n\n{user.display_name}"
