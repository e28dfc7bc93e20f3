"""The staff side: the review queue and the read-only case view with review actions.

Staff see escalated cases only (`case_for_staff`); any other case is 404 for
them as for everyone else. They never change the freelancer's record:
everything they post is a review action.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from disputes.forms import AssignForm, CloseReviewForm, DecisionForm, QueueFilterForm, ReviewNoteForm
from disputes.models import Case, Evidence, Review
from disputes.selectors import STAFF, case_view
from disputes.selectors_outbox import outbox_health
from disputes.services import evidence as evidence_services
from disputes.services import outbox as outbox_services
from disputes.services import review as review_services
from disputes.views.common import create_once, form_errors, paginate, querystring_without_page
from disputes.views.evidence import attachment_response, thumbnail_response
from disputes.views.loaders import case_for_staff, evidence_for_staff, loads, outbox_row_for_staff, staff_required


@staff_required
@require_safe
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    reviews = Review.objects.in_queue().select_related("case__client", "case__owner", "assigned_to")
    if filters.get("stage"):
        reviews = reviews.filter(case__stage=filters["stage"])
    if filters.get("kind"):
        reviews = reviews.filter(case__kind=filters["kind"])
    if filters.get("age"):
        reviews = reviews.filter(entered_at__lte=now - datetime.timedelta(days=int(filters["age"])))
    if filters.get("min_amount") is not None:
        reviews = reviews.filter(case__amount_in_dispute__gte=filters["min_amount"])
    reviewer = filters.get("reviewer")
    if reviewer == "me":
        reviews = reviews.filter(assigned_to=request.user)
    elif reviewer == "none":
        reviews = reviews.filter(assigned_to__isnull=True)
    elif reviewer:
        reviews = reviews.filter(assigned_to_id=reviewer)
    if filters.get("not_reviewed"):
        reviews = reviews.filter(first_reviewed_at__isnull=True)
    page = paginate(request, reviews.order_by("entered_at", "id"))
    limit = now - datetime.timedelta(hours=settings.REVIEW_FIRST_RESPONSE_HOURS)
    for review in page.object_list:
        review.waiting_too_long = review.first_reviewed_at is None and review.entered_at <= limit
        review.age = now - review.entered_at
    return render(
        request,
        "staff/queue.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "limit_hours": settings.REVIEW_FIRST_RESPONSE_HOURS,
        },
    )


@staff_required
@loads(case_for_staff)
@require_safe
def case_view_page(request, case: Case):
    return _case_page(request, case)


def _case_page(request, case: Case, **forms):
    context = {
        "case": case,
        "view": case_view(case, viewer=STAFF, params=request.GET),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"assignee": request.user.pk}),
        "note_form": forms.get("note_form") or ReviewNoteForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "close_form": forms.get("close_form") or CloseReviewForm(),
        "recheck_days": settings.EVIDENCE_RECHECK_DAYS,
    }
    return render(request, "staff/case.html", context)


@staff_required
@loads(evidence_for_staff)
@require_safe
def evidence_download(request, evidence: Evidence):
    return attachment_response(evidence, shared=True)


@staff_required
@loads(evidence_for_staff)
@require_safe
def evidence_thumbnail(request, evidence: Evidence):
    return thumbnail_response(evidence)


@staff_required
@loads(case_for_staff)
@require_POST
def evidence_check(request, case: Case):
    count = evidence_services.evidence_checks_request(case=case, by=request.user)
    messages.info(
        request,
        ngettext(
            "Checking the fingerprint of %(count)s file; reload to see the results.",
            "Checking the fingerprints of %(count)s files; reload to see the results.",
            count,
        )
        % {"count": count},
    )
    return redirect(f"{case.get_staff_url()}#evidence")


def _review_action(request, case: Case, form_class, form_name: str, perform, success: str, *, creates: bool):
    review = case.reviews.filter(state=Review.State.OPEN).first()
    if review is None:
        messages.error(request, _("This case is not in the review queue any more."))
        return redirect("disputes:staff_case", pk=case.pk)
    form = form_class(request.POST)
    if form.is_valid():
        url = f"{case.get_staff_url()}#review"

        def run() -> str:
            perform(review, form.cleaned_data)
            return url

        try:
            if creates:
                return create_once(request, run, success=success)
            run()
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(url)
    messages.error(request, _("Nothing was posted. Check the form below."))
    return _case_page(request, case, **{form_name: form})


@staff_required
@loads(case_for_staff)
@require_POST
def review_assign(request, case: Case):
    return _review_action(
        request,
        case,
        AssignForm,
        "assign_form",
        lambda review, data: review_services.review_assign(
            review=review, actor=request.user, assignee=data["assignee"]
        ),
        _("Reviewer assigned."),
        creates=False,
    )


@staff_required
@loads(case_for_staff)
@require_POST
def review_note(request, case: Case):
    return _review_action(
        request,
        case,
        ReviewNoteForm,
        "note_form",
        lambda review, data: review_services.review_note(
            review=review, actor=request.user, body=data["body"], visible=data["visible"]
        ),
        _("Note posted."),
        creates=True,
    )


@staff_required
@loads(case_for_staff)
@require_POST
def review_decide(request, case: Case):
    return _review_action(
        request,
        case,
        DecisionForm,
        "decision_form",
        lambda review, data: review_services.review_decide(
            review=review,
            actor=request.user,
            recommendation=data["recommendation"],
            reasons=data["reasons"],
            amount=data["amount"],
        ),
        _("Decision posted. The freelancer sees it on their timeline and gets an e-mail."),
        creates=True,
    )


@staff_required
@loads(case_for_staff)
@require_POST
def review_close(request, case: Case):
    return _review_action(
        request,
        case,
        CloseReviewForm,
        "close_form",
        lambda review, data: review_services.review_close(review=review, actor=request.user, reason=data["reason"]),
        _("Review closed; the case left the queue."),
        creates=False,
    )


@staff_required
@require_safe
def outbox(request):
    return render(request, "staff/outbox.html", {"health": outbox_health(now=timezone.now()), "now": timezone.now()})


@staff_required
@loads(outbox_row_for_staff)
@require_POST
def outbox_retry_row(request, row):
    was_unknown = row.status == row.Status.UNKNOWN
    if outbox_services.outbox_retry(row=row):
        if was_unknown:
            messages.warning(
                request,
                _(
                    "Queued again. It may already have been delivered, so the recipient could get it twice "
                    "(with the same Message-ID %(id)s)."
                )
                % {"id": row.message_id},
            )
        else:
            messages.success(request, _("Queued again; it goes out with the next sweep."))
    else:
        messages.info(request, _("That e-mail was sent or is being sent; nothing was changed."))
    return redirect("disputes:staff_outbox")
