"""The reminder kit: three payment reminders filled from the project's unpaid milestones.

A draft is only text for the composer: the freelancer edits it and sends it
through `services.mail_out.mail_queue` (purpose "reminder"), which keeps the
one-reminder-a-day rule. The suggested days come from `rules.deadlines`.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import client_language
from disputes.models import Case
from disputes.rules import deadlines

REMINDER_TEMPLATES = {
    "friendly": "Friendly reminder",
    "firm": "Firm reminder",
    "last": "Last notice before a formal letter",
}


def reminder_draft(*, case: Case, template: str, user: User) -> dict:
    """Subject and body of a reminder from the kit, filled from the unpaid milestones; editable."""
    if template not in REMINDER_TEMPLATES:
        raise ValidationError({"template": _("Pick one of the reminder templates.")})
    today = timezone.localdate(timezone.now(), timezone=ZoneInfo(user.time_zone))
    unpaid = list(case.project.milestones.filter(paid_on__isnull=True).order_by("due_date", "id"))
    rows = [
        {
            "milestone": milestone,
            "amount": format_money(milestone.amount, case.currency),
            "overdue": milestone.due_date is not None and milestone.due_date < today,
        }
        for milestone in unpaid
    ]
    total = sum((milestone.amount for milestone in unpaid), start=Decimal("0")) or case.amount_in_dispute
    context = {
        "case": case,
        "client": case.client,
        "project": case.project,
        "freelancer": user,
        "rows": rows,
        "total": format_money(total, case.currency),
        "letter_days": settings.LETTER_DEADLINE_DAYS,
    }
    # Written to the client: in the client's language, amounts as the client writes them.
    with translation.override(client_language(case.client)):
        for row in rows:
            row["amount"] = format_money(row["milestone"].amount, case.currency)
        context["total"] = format_money(total, case.currency)
        subjects = {
            "friendly": _("Friendly reminder: payment for %(project)s"),
            "firm": _("Payment overdue: %(project)s"),
            "last": _("Last notice before a formal demand: %(project)s"),
        }
        subject = subjects[template] % {"project": case.project.title}
        body = render_to_string(f"disputes/mail/reminder_{template}.txt", context).strip()
    return {"subject": subject[:200], "body": body, "rows": rows}


def reminder_suggestions(*, case: Case, user: User) -> list[dict]:
    """Suggested sending days for each unpaid milestone with a due date: the due day, +3 and +7."""
    today = timezone.localdate(timezone.now(), timezone=ZoneInfo(user.time_zone))
    suggestions = []
    for milestone in case.project.milestones.filter(paid_on__isnull=True, due_date__isnull=False).order_by("due_date"):
        suggestions.append(
            {"milestone": milestone, "dates": deadlines.reminder_dates(milestone.due_date, today)},
        )
    return suggestions
