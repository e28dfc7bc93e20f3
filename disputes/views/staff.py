"""The staff side: the review queue and the read-only case view with review actions.

Staff see escalated cases only (`Case.objects.for_staff()`); any other case
is 404 for them as for everyone else. They never change the freelancer's
record: everything they post is a review action.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from disputes.forms_review import AssignForm, CloseReviewForm, DecisionForm, QueueFilterForm, ReviewNoteForm
from disputes.models import Case, Evidence, Review
from disputes.services import review as review_services
from disputes.services.evidence import evidence_verify
from disputes.views.cases import build_timeline
from disputes.views.common import allow_methods, form_errors, owned_or_404, paginate, querystring_without_page
from disputes.views.evidence import attachment_response, thumbnail_response


def staff_required(view):
    """Signed-in staff only; anyone else signed in gets 404, as for a missing page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _staff_case(request, pk: int, *, final: bool = True) -> Case:
    queryset = Case.objects.for_staff().select_related("client", "project", "owner")
    return owned_or_404(request, queryset, final=final, pk=pk)


@staff_required
@allow_methods("GET")
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    reviews = Review.objects.waiting().select_related("case__client", "case__owner", "assigned_to")
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
@allow_methods("GET")
def case_view(request, pk: int):
    case = _staff_case(request, pk)
    return _case_page(request, case)


def _case_page(request, case: Case, **forms):
    entries = list(case.entries.select_related("author").order_by("happened_at", "id"))
    evidence = list(case.evidence.order_by("-uploaded_at", "-id"))
    for item in evidence:
        item.integrity = evidence_verify(evidence=item)
    review = case.reviews.order_by("-entered_at", "-id").first()
    actions = list(review.actions.select_related("actor", "assignee")) if review else []
    context = {
        "case": case,
        "timeline": build_timeline(entries),
        "evidence": evidence,
        "tampered": [item for item in evidence if item.integrity != "intact"],
        "warning_signs": case.client.warning_signs.all(),
        "agreements": case.project.agreements.select_related("created_by").order_by("-version"),
        "milestones": case.project.milestones.all(),
        "review": review,
        "actions": actions,
        "assign_form": forms.get("assign_form") or AssignForm(initial={"assignee": request.user.pk}),
        "note_form": forms.get("note_form") or ReviewNoteForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "close_form": forms.get("close_form") or CloseReviewForm(),
    }
    return render(request, "staff/case.html", context)


@staff_required
@allow_methods("GET")
def evidence_download(request, pk: int, evidence_pk: int):
    case = _staff_case(request, pk, final=False)
    evidence = owned_or_404(request, Evidence.objects.filter(case=case), pk=evidence_pk)
    return attachment_response(evidence)


@staff_required
@allow_methods("GET")
def evidence_thumbnail(request, pk: int, evidence_pk: int):
    case = _staff_case(request, pk, final=False)
    return thumbnail_response(owned_or_404(request, Evidence.objects.filter(case=case), pk=evidence_pk))


def _review_action(request, pk: int, form_class, form_name: str, perform, success: str):
    case = _staff_case(request, pk)
    review = case.reviews.filter(state=Review.State.OPEN).first()
    if review is None:
        messages.error(request, "This case is not in the review queue any more.")
        return redirect("disputes:staff_case", pk=case.pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(review, form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("disputes:staff_case", pk=case.pk)
    messages.error(request, "Nothing was posted. Check the form below.")
    return _case_page(request, case, **{form_name: form})


@staff_required
@allow_methods("POST")
def review_assign(request, pk: int):
    return _review_action(
        request,
        pk,
        AssignForm,
        "assign_form",
        lambda review, data: review_services.review_assign(
            review=review, actor=request.user, assignee=data["assignee"]
        ),
        "Reviewer assigned.",
    )


@staff_required
@allow_methods("POST")
def review_note(request, pk: int):
    return _review_action(
        request,
        pk,
        ReviewNoteForm,
        "note_form",
        lambda review, data: review_services.review_note(
            review=review, actor=request.user, body=data["body"], visible=data["visible"]
        ),
        "Note posted.",
    )


@staff_required
@allow_methods("POST")
def review_decide(request, pk: int):
    return _review_action(
        request,
        pk,
        DecisionForm,
        "decision_form",
        lambda review, data: review_services.review_decide(
            review=review,
            actor=request.user,
            recommendation=data["recommendation"],
            reasons=data["reasons"],
            amount=data["amount"],
        ),
        "Decision posted. The freelancer sees it on their timeline and gets an e-mail.",
    )


@staff_required
@allow_methods("POST")
def review_close(request, pk: int):
    return _review_action(
        request,
        pk,
        CloseReviewForm,
        "close_form",
        lambda review, data: review_services.review_close(review=review, actor=request.user, reason=data["reason"]),
        "Review closed; the case left the queue.",
    )
