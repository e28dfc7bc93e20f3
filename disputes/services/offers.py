"""Offers to settle: made, e-mailed with an answer link, answered once, withdrawn or lapsed.

Each offer goes on the timeline when it is made and again when it ends. The freelancer's own
offer can be e-mailed to the client with a single-use link: the token is random and only its
SHA-256 is stored. The client answers on the link's page without an account; the answer keeps
the moment, the address it came from and the exact text the page showed (`offer_text`), and
is refused unless that text is still the offer's. An accepted offer is what the case's
resolution form starts from (`accepted_offer`).
"""

import datetime
import hashlib
import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import client_language, on_the_record, record_date
from disputes.models import Case, Offer, TimelineEntry
from disputes.rules import dates, ladder
from disputes.services.common import ensure_owner
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append

MAX_TERMS = 4000
MAX_DAYS = 90
CLOSED_CASE = "The case is closed: offers are made on an open case."


class OfferLinkInvalid(Exception):
    """No offer has this link's token (shown as "not found")."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer_text(offer: Offer) -> str:
    """The offer's terms exactly as the answer page shows them and the answer records them."""
    zone = timezone.get_current_timezone()
    until = timezone.localtime(offer.expires_at, zone)
    words = gettext("%(amount)s to settle “%(project)s”, open until %(when)s (%(zone)s).") % {
        "amount": format_money(offer.amount, offer.currency),
        "project": offer.case.project.title,
        "when": dateformat.format(until, gettext("d M Y, H:i")),
        "zone": until.tzname(),
    }
    return f"{words}\n\n{offer.terms}"


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _end_of(day: datetime.date, zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=ZoneInfo(zone))


def _check(*, case: Case, amount, currency: str, terms: str, expires_on, now) -> dict:
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount above zero: what the client would pay to settle.")
    if currency != case.currency:
        errors["currency"] = _("This case is in %(currency)s: make the offer in %(currency2)s.") % {
            "currency": case.currency,
            "currency2": case.currency,
        }
    if not terms:
        errors["terms"] = _("Write the terms: what each side does, and by when.")
    elif len(terms) > MAX_TERMS:
        errors["terms"] = _("Keep the terms under %(terms)s characters.") % {
            "terms": number_format(MAX_TERMS, force_grouping=True)
        }
    today = timezone.localtime(now, timezone.get_current_timezone()).date()
    if expires_on is None:
        errors["expires_on"] = _("Enter the last day the offer is open.")
    elif not dates.in_range(expires_on):
        errors["expires_on"] = dates.OUT_OF_RANGE
    elif expires_on < today:
        errors["expires_on"] = _("The last day cannot be in the past.")
    elif expires_on > today + datetime.timedelta(days=MAX_DAYS):
        errors["expires_on"] = _("Keep an offer open for %(days)s days at most.") % {"days": MAX_DAYS}
    return errors


def offer_make(
    *,
    case: Case,
    actor: User,
    side: str,
    amount: Decimal | None,
    currency: str,
    terms: str,
    expires_on: datetime.date | None,
    counter_to: Offer | None = None,
    email: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[Offer, str]:
    """Record an offer (either side's) on an open case; e-mail the freelancer's own with a link.

    Returns the offer and the link's token ("" when not e-mailed). A counter-offer ends the offer
    it answers (as "countered"), in the same transaction.
    """
    ensure_owner(case, actor)
    now = now or timezone.now()
    terms = (terms or "").replace("\r\n", "\n").strip()
    if side not in Offer.Side.values:
        raise ValidationError({"side": _("Choose whose offer it is.")})
    errors = _check(case=case, amount=amount, currency=(currency or "").upper(), terms=terms,
                    expires_on=expires_on, now=now)  # fmt: skip
    if email and side != Offer.Side.FREELANCER:
        errors["email"] = _("Only your own offer can be e-mailed to the client.")
    elif email and not case.client.email:
        errors["email"] = _("The client has no e-mail address: add one on the client's page first.")
    if counter_to is not None and (counter_to.case_id != case.pk or counter_to.side == side):
        errors["counter_to"] = _("A counter-offer answers the other side's offer on the same case.")
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32) if email else ""
    with transaction.atomic():
        stored = Case.objects.select_for_update().only("status").get(pk=case.pk)
        if stored.status != Case.Status.OPEN:
            raise ValidationError(CLOSED_CASE)
        if email:
            _check_email_limit(case, now)
        if counter_to is not None:
            ended = Offer.objects.filter(pk=counter_to.pk, status=Offer.Status.OPEN).update(
                status=Offer.Status.COUNTERED, answered_at=now
            )
            if ended != 1:
                raise ValidationError({"counter_to": _("That offer is no longer open: make a new offer instead.")})
        expires_at = _end_of(expires_on, actor.time_zone)
        with on_the_record(case.owner):
            said = _offer_said(side, amount, case.currency, counter_to, until=record_date(expires_at))
        entry = entry_append(
            case=case,
            author=actor,
            kind=TimelineEntry.Kind.OFFER,
            body=f"{said}\n\n{terms}",
            amount=amount,
            now=now,
        )
        offer = Offer.objects.create(
            case=case,
            owner_id=case.owner_id,
            side=side,
            amount=amount,
            currency=case.currency,
            terms=terms,
            expires_at=expires_at,
            counter_to=counter_to,
            created_at=now,
            entry=entry,
            token_hash=token_hash(token) if email else None,
            emailed_to=case.client.email if email else "",
        )
        if email:
            offer.notification = _queue_email(offer, token, now)
            offer.save(update_fields=["notification"])
    return offer, token


def _check_email_limit(case: Case, now: datetime.datetime) -> None:
    """Offers e-mail any address the client record holds: a few per case a day (counted with the case locked)."""
    most = settings.OFFER_EMAILS_PER_CASE_PER_DAY
    since = now - datetime.timedelta(days=1)
    if Offer.objects.filter(case=case, created_at__gt=since, token_hash__isnull=False).count() >= most:
        raise ValidationError(
            {
                "email": _("This case has e-mailed %(most)s offers in the last 24 hours, the most Settle sends.")
                % {"most": most}
            }
        )


def _queue_email(offer: Offer, token: str, now: datetime.datetime):
    case = offer.case
    url = f"{settings.SITE_URL}{reverse('disputes:offer_public', args=[token])}"
    language = client_language(case.client)
    with timezone.override(case.client.time_zone or case.owner.time_zone), translation.override(language):
        text = offer_text(offer)
    return notification_queue(
        key=f"offer:{offer.pk}",
        to_email=case.client.email,
        template="disputes/email/offer_to_client",
        context={"offer": offer, "case": case, "owner": case.owner, "text": text, "url": url},
        subject=gettext_lazy("An offer to settle, sent through Settle"),
        now=now,
        send_after_commit=True,
        language=language,
    )


def offer_for_token(token: str) -> Offer:
    offer = (
        Offer.objects.filter(token_hash=token_hash(token))
        .select_related("case__project", "case__client", "case__owner")
        .first()
    )
    if offer is None:
        raise OfferLinkInvalid
    return offer


def _offer_said(side: str, amount, currency: str, counter_to: Offer | None, *, until: str) -> str:
    values = {"amount": format_money(amount, currency), "until": until}
    if counter_to is not None:
        values["countered"] = format_money(counter_to.amount, counter_to.currency)
        if side == Offer.Side.FREELANCER:
            return gettext("Your offer (a counter-offer to %(countered)s): %(amount)s, open until %(until)s.") % values
        return (
            gettext("The client's offer (a counter-offer to %(countered)s): %(amount)s, open until %(until)s.") % values
        )
    if side == Offer.Side.FREELANCER:
        return gettext("Your offer: %(amount)s, open until %(until)s.") % values
    return gettext("The client's offer: %(amount)s, open until %(until)s.") % values


def link_refusal(offer: Offer, now: datetime.datetime) -> str:
    """Why the link's offer cannot be answered now, in the active language (the page's); "" when it can."""
    if offer.status != Offer.Status.OPEN:
        if offer.status in (Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.COUNTERED):
            return gettext("This offer has already been answered. The link works once.")
        if offer.status == Offer.Status.WITHDRAWN:
            return gettext("This offer was withdrawn by the freelancer.")
        return gettext("This offer has expired.")
    if offer.expires_at <= now:
        return gettext("This offer has expired.")
    if offer.case.status != Case.Status.OPEN:
        return gettext("The dispute this offer was about has been closed, so the offer can no longer be answered.")
    return ""


def _end(offer: Offer, *, status: str, author: User, body: str, now, answerable: bool = False, **answer) -> bool:
    """End an open offer once: the conditional UPDATE only one caller can win, then the entry that says
    how it ended, about the offer's own. `answerable` also requires it unexpired on an open case (an
    answer); a withdrawal or an expiry needs only that it is still open. False if it was not."""
    still_open = Offer.objects.filter(pk=offer.pk, status=Offer.Status.OPEN)
    if answerable:
        still_open = still_open.filter(expires_at__gt=now, case__status=Case.Status.OPEN)
    with transaction.atomic():
        if still_open.update(status=status, answered_at=now, **answer) != 1:
            return False
        entry = entry_append(
            case=offer.case, author=author, kind=TimelineEntry.Kind.OFFER_ANSWER, body=body, about=offer.entry, now=now
        )
        Offer.objects.filter(pk=offer.pk).update(answer_entry=entry)
    return True


def offer_answer_by_link(*, token: str, accept: bool, ip: str, shown_digest: str, now=None) -> Offer:
    """The client's answer through the e-mailed link, once. Refused (nothing changed) unless the
    offer is still open, unexpired, on an open case, and the page showed its current terms."""
    now = now or timezone.now()
    offer = offer_for_token(token)
    refusal = link_refusal(offer, now)
    if refusal:
        raise ValidationError(refusal)
    with timezone.override(offer.case.client.time_zone or offer.case.owner.time_zone):
        text = offer_text(offer)
    if not secrets.compare_digest(shown_digest or "", text_digest(text)):
        raise ValidationError(_("The offer changed since the page was opened. Read it again below."))
    status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
    with on_the_record(offer.case.owner):
        values = {"amount": format_money(offer.amount, offer.currency), "to": offer.emailed_to,
                  "ip": ip or gettext("an unknown address"), "digest": text_digest(text)}  # fmt: skip
        if accept:
            said = (
                _(
                    "The client accepted the offer of %(amount)s on the page of the link Settle e-mailed to "
                    "%(to)s. Answered from %(ip)s. The terms the page showed (SHA-256 %(digest)s):"
                )
                % values
            )
        else:
            said = (
                _(
                    "The client declined the offer of %(amount)s on the page of the link Settle e-mailed to "
                    "%(to)s. Answered from %(ip)s. The terms the page showed (SHA-256 %(digest)s):"
                )
                % values
            )
    body = f"{said}\n\n{text}"
    with transaction.atomic():
        # Single use: only one request moves the offer from open, and only while its case is open.
        if not _end(offer, status=status, author=offer.case.owner, body=body, now=now, answerable=True,
                    answered_via_link=True, answered_ip=ip or None, answered_terms=text):  # fmt: skip
            raise ValidationError(_("This offer has already been answered. The link works once."))
        notification_queue(
            key=f"offer-answer:{offer.pk}",
            user=offer.case.owner,
            template="disputes/email/offer_answered",
            context={
                "offer": offer,
                "case": offer.case,
                "accepted": accept,
                "url": f"{settings.SITE_URL}{offer.case.get_absolute_url()}#offers",
            },
            subject=_("Your client answered your offer"),
            now=now,
            send_after_commit=True,
        )
    offer.refresh_from_db()
    return offer


def offer_answer(*, offer: Offer, actor: User, accept: bool, now=None) -> Offer:
    """The freelancer records their answer to the client's offer, once."""
    ensure_owner(offer.case, actor)
    now = now or timezone.now()
    if offer.side != Offer.Side.CLIENT:
        raise ValidationError(_("This is your own offer: the client answers it."))
    with on_the_record(offer.case.owner):
        values = {"amount": format_money(offer.amount, offer.currency)}
        if accept:
            body = gettext("Accepted the client's offer of %(amount)s.") % values
        else:
            body = gettext("Declined the client's offer of %(amount)s.") % values
    status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
    if not _end(offer, status=status, author=actor, body=body, now=now, answerable=True):
        raise ValidationError(_("This offer is no longer open."))
    offer.refresh_from_db()
    return offer


def offer_withdraw(*, offer: Offer, actor: User, now=None) -> bool:
    """Withdraw one's own open offer (its link stops working). False if it was no longer open."""
    ensure_owner(offer.case, actor)
    now = now or timezone.now()
    if offer.side != Offer.Side.FREELANCER:
        raise ValidationError(_("Only your own offer can be withdrawn; answer the client's instead."))
    with on_the_record(offer.case.owner):
        body = gettext("Withdrew the offer of %(amount)s.") % {"amount": format_money(offer.amount, offer.currency)}
    return _end(offer, status=Offer.Status.WITHDRAWN, author=actor, body=body, now=now)


def offers_expire(*, now: datetime.datetime) -> int:
    """The sweep's step: every open offer past its time ends as expired, once, with a timeline entry."""
    expired = 0
    due = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).select_related("case__owner", "entry")
    for offer in due.order_by("expires_at", "id")[:500]:
        with on_the_record(offer.case.owner):
            body = gettext("The offer of %(amount)s expired with no answer.") % {
                "amount": format_money(offer.amount, offer.currency)
            }
        # False when another run, or an answer, ended it meanwhile.
        expired += _end(offer, status=Offer.Status.EXPIRED, author=offer.case.owner, body=body, now=now)
    return expired


def accepted_offer(case: Case) -> Offer | None:
    """The case's latest accepted offer, the one its resolution starts from."""
    return case.offers.filter(status=Offer.Status.ACCEPTED).order_by("-answered_at", "-id").first()


def closing_prefill(case: Case) -> dict | None:
    """What closing starts from when the case has an accepted offer (or mediator's settlement):
    the outcome, the amount and a reason naming it. None when there is none."""
    offer = accepted_offer(case)
    proposal = case.settlement_proposals.filter(status="accepted").order_by("-answered_at", "-id").first()
    if offer is None and proposal is None:
        return None
    if offer is None or (proposal is not None and proposal.answered_at > offer.answered_at):
        amount, currency, when = proposal.amount, proposal.currency, proposal.answered_at
        what = "mediator's settlement"
    else:
        amount, currency, when, what = offer.amount, offer.currency, offer.answered_at, "offer"
    full = case.amount_in_dispute and amount >= case.amount_in_dispute
    day = timezone.localtime(when).strftime("%-d %b %Y")
    return {
        "outcome": ladder.PAID_IN_FULL if full else ladder.PARTIAL_PAYMENT,
        "amount_recovered": amount,
        "reason": f"Settled: the {what} of {format_money(amount, currency)} was accepted on {day}.",
        "source": what,
    }
