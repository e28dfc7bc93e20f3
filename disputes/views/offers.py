"""Offers to settle: the freelancer's form and answers, and the client's page behind the e-mailed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.throttle import client_ip
from disputes.forms import OfferAnswerForm, OfferForm
from disputes.models import Case, Offer
from disputes.selectors_phrases import phrasebook_for
from disputes.services import offers as offer_services
from disputes.views.common import create_once, form_errors, refusal
from disputes.views.loaders import case_for_owner, loads, offer_by_token, offer_for_owner

ACTIONS = ("accept", "decline", "withdraw")


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def offer_new(request, case: Case):
    counter = _counter_to(case, request.POST.get("counter_to") or request.GET.get("counter"))
    initial = {"currency": case.currency}
    if counter is not None:
        initial.update(side=Offer.Side.FREELANCER if counter.side == Offer.Side.CLIENT else Offer.Side.CLIENT,
                       counter_to=counter.pk, expires_on=timezone.localdate(counter.expires_at))  # fmt: skip
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            return create_once(
                request,
                lambda: _make(request, case, data, counter),
                success=_("Offer recorded on the timeline.")
                + (
                    " Settle is e-mailing it to the client; the case shows when the mail server accepts it."
                    if data["email"]
                    else ""
                ),
            )
        except ValidationError as error:
            form_errors(form, error)
    return render(
        request,
        "disputes/offer_form.html",
        {
            "case": case,
            "form": form,
            "counter": counter,
            "can_email": bool(case.client.email),
            "phrase_moments": phrasebook_for(request.user)[0],
        },
        status=400 if form.errors else 200,
    )


def _counter_to(case: Case, value) -> Offer | None:
    if not value:
        return None
    try:
        return case.offers.get(pk=int(value))
    except (ValueError, Offer.DoesNotExist):
        raise Http404(_("No such offer on this case.")) from None


def _make(request, case: Case, data: dict, counter: Offer | None) -> str:
    offer_services.offer_make(
        case=case,
        actor=request.user,
        side=data["side"],
        amount=data["amount"],
        currency=data["currency"],
        terms=data["terms"],
        expires_on=data["expires_on"],
        counter_to=counter,
        email=data["email"],
    )
    return f"{case.get_absolute_url()}#offers"


@login_required
@loads(offer_for_owner)
@require_POST
def offer_action(request, offer: Offer, action: str):
    if action not in ACTIONS:
        raise Http404(_("No such answer."))
    try:
        if action == "withdraw":
            if offer_services.offer_withdraw(offer=offer, actor=request.user):
                messages.success(request, _("Offer withdrawn: its link no longer works."))
            else:
                messages.info(request, _("That offer was no longer open, so nothing changed."))
        else:
            offer_services.offer_answer(offer=offer, actor=request.user, accept=action == "accept")
            messages.success(
                request,
                _("Accepted: closing the case will start from this offer.")
                if action == "accept"
                else _("Declined. You can make a counter-offer."),
            )
    except ValidationError as error:
        messages.error(request, refusal(error))
    return redirect(f"{offer.case.get_absolute_url()}#offers")


# --- The client's page (public: the token is the key) ----------------------------------
@never_cache
@loads(offer_by_token)
@require_http_methods(["GET", "POST"])
def offer_public(request, offer: Offer):
    token = request.resolver_match.kwargs["token"]
    case = offer.case
    now = timezone.now()
    error = ""
    with timezone.override(case.client.time_zone):
        text = offer_services.offer_text(offer)
        if request.method == "POST":
            form = OfferAnswerForm(request.POST)
            if not form.is_valid():
                error = _("Choose to accept or decline the offer.")
            else:
                try:
                    offer = offer_services.offer_answer_by_link(
                        token=token,
                        accept=form.cleaned_data["answer"] == "accept",
                        ip=client_ip(request),
                        shown_digest=form.cleaned_data["shown"],
                    )
                except ValidationError as refused:
                    error = refusal(refused)
                else:
                    return redirect("disputes:offer_public", token=token)
        context = {
            "offer": offer,
            "case": case,
            "text": text,
            "digest": offer_services.text_digest(text),
            "refusal": offer_services.link_refusal(offer, now),
            "error": error,
            "answered_at": timezone.localtime(offer.answered_at) if offer.answered_at else None,
        }
        response = render(request, "disputes/offer_public.html", context, status=400 if error else 200)
    response["X-Robots-Tag"] = "noindex"
    return response
