from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from disputes import ladder
from disputes.forms import (
    CaseFilterForm,
    CaseForm,
    CaseOpenForm,
    CorrectionForm,
    EntryForm,
    MoveForm,
    NoAnswerNeededForm,
)
from disputes.models import Case, Project, TimelineEntry
from disputes.services import cases as case_services
from disputes.services import concerns as concern_services
from disputes.services import timeline as timeline_services
from disputes.views.common import (
    allow_methods,
    attach_clocks,
    due_soon_window,
    form_errors,
    owned_or_404,
    paginate,
    querystring_without_page,
)


def owned_case(request, pk: int, *, final: bool = True) -> Case:
    return owned_or_404(
        request, Case.objects.for_owner(request.user).select_related("project", "client"), final=final, pk=pk
    )


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None, owner=request.user)
    cases = Case.objects.for_owner(request.user).select_related("client", "project")
    filters = form.cleaned_data if form.is_valid() else {}
    if q := filters.get("q", "").strip():
        cases = cases.filter(Q(title__icontains=q) | Q(client__name__icontains=q) | Q(client__company__icontains=q))
    for name in ("status", "kind"):
        if filters.get(name):
            cases = cases.filter(**{name: filters[name]})
    if filters.get("client"):
        cases = cases.filter(client=filters["client"])
    now = timezone.now()
    response = filters.get("response")
    if response == "overdue":
        cases = cases.answer_overdue(now)
    elif response == "due_soon":
        cases = cases.answer_due_soon(now, due_soon_window())
    elif response == "waiting":
        cases = cases.awaiting_answer()
    # Counts per stage use every filter but the stage itself, so each count
    # says how many cases that stage filter would show.
    per_stage = dict(cases.values_list("stage").annotate(n=Count("id")).order_by())
    if filters.get("stage"):
        cases = cases.filter(stage=filters["stage"])
    order = CaseFilterForm.SORTS.get(filters.get("sort") or "-opened")[0]
    if order == "response_due_at":
        order = F("response_due_at").asc(nulls_last=True)
    page = paginate(request, cases.order_by(order, "-id"))
    attach_clocks(page.object_list, now)
    stage_counts = [(value, label, per_stage.get(value, 0)) for value, label in Case.Stage.choices]
    return render(
        request,
        "disputes/case_list.html",
        {
            "form": form,
            "page": page,
            "stage_counts": stage_counts,
            "querystring": querystring_without_page(request),
            "has_projects": Project.objects.for_owner(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request):
    initial = {}
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        project = Project.objects.for_owner(request.user).filter(pk=project_id).first()
        if project is not None:
            initial.update(project=project.pk, currency=project.currency)
    form = CaseOpenForm(request.POST or None, owner=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = data.pop("project")
        case = case_services.case_open(owner=request.user, project=project, data=data)
        messages.success(request, "Case opened on the direct-talk rung. Log the client's first message.")
        return redirect("disputes:case_detail", pk=case.pk)
    has_projects = Project.objects.for_owner(request.user).exists()
    return render(request, "disputes/case_form.html", {"form": form, "has_projects": has_projects})


@login_required
@allow_methods("GET", "POST")
def case_edit(request, pk: int):
    case = owned_case(request, pk)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        case_services.case_update(case=case, data=form.cleaned_data)
        messages.success(request, "Case saved.")
        return redirect("disputes:case_detail", pk=case.pk)
    return render(request, "disputes/case_form.html", {"form": form, "case": case, "has_projects": True})


def _move_target(case: Case, move: str) -> ladder.CaseState | None:
    """Where the move would take the case now, or None if the ladder refuses it."""
    if move not in ladder.available_moves(case.ladder_state):
        return None
    try:
        return ladder.plan_move(
            case.ladder_state,
            move,
            reason="preview",
            ground=next(iter(ladder.FAST_TRACK_GROUNDS)) if move == ladder.FAST_TRACK else "",
            outcome=ladder.PAID_IN_FULL if move == ladder.RESOLVE else "",
        ).to_state
    except ladder.IllegalMove:
        return None


def build_timeline(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Entries in the order things happened, each with its chain of corrections.

    A correction is shown under the entry it corrects (which is struck
    through), not as a separate item.
    """
    by_id = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.corrected_by = None
    for entry in entries:
        if entry.corrects_id and entry.corrects_id in by_id:
            by_id[entry.corrects_id].corrected_by = entry
    roots = [entry for entry in entries if not entry.corrects_id]
    for root in roots:
        chain, current = [], root.corrected_by
        while current is not None:
            chain.append(current)
            current = current.corrected_by
        root.correction_chain = chain
    return roots


@login_required
@allow_methods("GET")
def case_detail(request, pk: int):
    return _case_page(request, owned_case(request, pk))


def _case_page(request, case: Case, entry_form: EntryForm | None = None):
    entries = list(case.entries.select_related("author").order_by("happened_at", "id"))
    evidence = list(case.evidence.select_related("entry").order_by("-uploaded_at", "-id"))
    concerns = {concern.message_id: concern for concern in case.concerns.all()}
    proposals = {proposal.entry_id: proposal for proposal in case.settlement_proposals.all()}
    for entry in entries:
        entry.clock_concern = concerns.get(entry.pk)
        proposal = proposals.get(entry.pk)
        if proposal is not None:
            entry.pending_proposal = proposal if proposal.status == proposal.Status.PROPOSED else None
            entry.proposal_status = proposal.get_status_display()
    open_concerns = sorted((c for c in concerns.values() if c.state == c.State.OPEN), key=lambda c: c.due_at)
    attach_clocks([case])
    current = ladder.rung(case.stage)
    context = {
        "case": case,
        "oldest_open_concern": open_concerns[0] if open_concerns else None,
        "in_review": case.reviews.filter(state="open").first(),
        "letters": list(case.letters.order_by("-created_at", "-id")),
        "open_concern_count": len(open_concerns),
        "timeline": build_timeline(entries),
        "entry_count": len(entries),
        "evidence": evidence,
        "rungs": ladder.RUNGS,
        "current_rung": current,
        "current_index": ladder.stage_index(case.stage),
        "moves": [(move, ladder.MOVE_LABELS[move]) for move in ladder.available_moves(case.ladder_state)],
        "entry_form": entry_form or EntryForm(),
        "correctable_kinds": TimelineEntry.MANUAL_KINDS,
    }
    return render(request, "disputes/case_detail.html", context)


@login_required
@allow_methods("GET", "POST")
def case_move(request, pk: int, move: str):
    case = owned_case(request, pk)
    if move not in ladder.MOVES:
        raise Http404("No such move.")
    initial = {
        "expected_stage": case.stage,
        "expected_status": case.status,
        "ground": ladder.default_ground_for_kind(case.kind),
    }
    form = MoveForm(request.POST or None, move=move, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_services.case_move(
                case=case,
                actor=request.user,
                move=move,
                reason=data["reason"],
                ground=data.get("ground", ""),
                outcome=data.get("outcome", ""),
                amount_recovered=data.get("amount_recovered"),
                root_cause=data.get("root_cause", ""),
                lessons_learned=data.get("lessons_learned", ""),
                expected_stage=data["expected_stage"],
                expected_status=data["expected_status"],
            )
        except ladder.IllegalMove as refusal:
            messages.error(request, str(refusal))
            if isinstance(refusal, case_services.StaleCase):
                return redirect("disputes:case_detail", pk=case.pk)
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Done: {ladder.MOVE_LABELS[move].lower()}.")
            return redirect("disputes:case_detail", pk=case.pk)
    target = _move_target(case, move)
    allowed = target is not None
    return render(
        request,
        "disputes/case_move.html",
        {
            "case": case,
            "form": form,
            "move": move,
            "move_label": ladder.MOVE_LABELS[move],
            "allowed": allowed,
            "target_rung": ladder.rung(target.stage) if target else None,
            "target_status": Case.Status(target.status).label if target else "",
        },
    )


@login_required
@allow_methods("POST")
def entry_add(request, pk: int):
    case = owned_case(request, pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            timeline_services.entry_add(
                case=case,
                author=request.user,
                kind=data["kind"],
                body=data["body"],
                channel=data["channel"],
                happened_at=data["happened_at"],
                amount=data["amount"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Added to the timeline.")
            return redirect(f"{case.get_absolute_url()}#timeline")
    messages.error(request, "The entry was not added. Check the form below.")
    return _case_page(request, case, entry_form=form)


@login_required
@allow_methods("GET", "POST")
def entry_correct(request, pk: int, entry_pk: int):
    case = owned_case(request, pk, final=False)
    original = owned_or_404(request, TimelineEntry.objects.filter(case=case).select_related("author"), pk=entry_pk)
    if original.kind not in TimelineEntry.MANUAL_KINDS:
        raise Http404("Entries written by Settle cannot be corrected.")
    initial = {
        "channel": original.channel,
        "happened_at": original.happened_at,
        "body": original.body,
        "amount": original.amount,
    }
    form = CorrectionForm(request.POST or None, original=original, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            timeline_services.entry_correct(
                original=original,
                author=request.user,
                body=data["body"],
                channel=data.get("channel", ""),
                happened_at=data["happened_at"],
                amount=data.get("amount"),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Correction added. The original stays on the record, struck through.")
            return redirect(f"{case.get_absolute_url()}#timeline")
    return render(request, "disputes/entry_correct.html", {"case": case, "original": original, "form": form})


@login_required
@allow_methods("GET", "POST")
def concern_dismiss(request, pk: int, entry_pk: int):
    case = owned_case(request, pk, final=False)
    message = owned_or_404(
        request,
        TimelineEntry.objects.filter(case=case, kind=TimelineEntry.Kind.MESSAGE_IN, corrects__isnull=True),
        pk=entry_pk,
    )
    form = NoAnswerNeededForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern_services.concern_dismiss(message=message, author=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Marked as needing no answer. The reason is on the timeline.")
            return redirect(f"{case.get_absolute_url()}#entry-{message.pk}")
    return render(request, "disputes/concern_dismiss.html", {"case": case, "message": message, "form": form})
