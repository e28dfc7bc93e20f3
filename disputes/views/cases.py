"""The freelancer's cases: the list, opening, the case page, moves and timeline entries."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.forms import (
    CaseFilterForm,
    CaseForm,
    CaseOpenForm,
    CorrectionForm,
    EntryForm,
    MoveForm,
    NoAnswerNeededForm,
)
from disputes.languages import in_sentence
from disputes.models import Case, Project, TimelineEntry
from disputes.rules import ladder, lessons
from disputes.selectors import OWNER, archived_case_count, case_view, ladder_context
from disputes.selectors_deadlines import case_strip
from disputes.services import cases as case_services
from disputes.services import followup
from disputes.services import offers as offer_services
from disputes.services import timeline as timeline_services
from disputes.views.common import (
    COUNT_CAP,
    CappedCount,
    attach_clocks,
    count_capped,
    create_once,
    due_soon_window,
    form_errors,
    paginate_open,
    querystring_without_page,
    refusal,
)
from disputes.views.loaders import case_for_owner, entry_for_owner, loads

CASE_ROW_FIELDS = (
    "title", "stage", "status", "kind", "amount_in_dispute", "currency", "opened_at", "response_due_at",
    "client__name", "project__title",
)  # fmt: skip


@login_required
@require_safe
def case_list(request):
    form = CaseFilterForm(request.GET or None, owner=request.user)
    show_archived = request.GET.get("archived") == "1"
    mine = Case.objects.for_owner(request.user)
    cases = (mine.archived() if show_archived else mine.listed()).select_related("client", "project")
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
    # Counts per stage use every filter but the stage itself, so each count says how many cases
    # that stage filter would show. They come from one read of at most COUNT_CAP + 1 rows: past
    # that the page says "1,000+" and leaves the stages uncounted, so it costs the same for a
    # freelancer with 200 cases and one with 200,000.
    per_stage = cases.stage_counts(COUNT_CAP)
    capped = per_stage is None
    per_stage = per_stage or {}
    if filters.get("stage"):
        cases = cases.filter(stage=filters["stage"])
    order = CaseFilterForm.SORTS.get(filters.get("sort") or "-opened")[0]
    if order == "response_due_at":
        order = F("response_due_at").asc(nulls_last=True)
    if not capped:
        total = CappedCount(per_stage.get(filters["stage"], 0) if filters.get("stage") else sum(per_stage.values()))
    else:
        total = count_capped(cases) if filters.get("stage") else CappedCount(COUNT_CAP + 1)
    # Only the columns a row shows (a case's long texts stay in the database).
    shown = cases.only(*CASE_ROW_FIELDS)
    page = paginate_open(request, shown.order_by(order, "-id"), total)
    attach_clocks(page.object_list, now)
    stage_counts = [(value, label, None if capped else per_stage.get(value, 0)) for value, label in Case.Stage.choices]
    stage_links = _stage_links(request, filters.get("stage") or "", stage_counts)
    return render(
        request,
        "disputes/case_list.html",
        {
            "form": form,
            "page": page,
            "stage_counts": stage_counts,
            "stage_links": stage_links,
            "querystring": querystring_without_page(request),
            # Asked only when an unfiltered list is empty, to say what to do first.
            "has_projects": not (page.object_list or request.GET) and Project.objects.for_owner(request.user).exists(),
            "show_archived": show_archived,
            "archived_count": CappedCount(archived_case_count(request.user, COUNT_CAP)) if not show_archived else None,
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
            initial.update(project=project.pk)
    form = CaseOpenForm(request.POST or None, owner=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = data.pop("project")
        try:
            return create_once(
                request,
                lambda: case_services.case_open(owner=request.user, project=project, data=data).get_absolute_url(),
                success=_("Case opened on the direct-talk rung. Log the client's first message."),
            )
        except ValidationError as error:
            form_errors(form, error)
    has_projects = Project.objects.for_owner(request.user).exists()
    return render(request, "disputes/case_form.html", {"form": form, "has_projects": has_projects})


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def case_edit(request, case: Case):
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.case_update(case=case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Case saved."))
            return redirect("disputes:case_detail", pk=case.pk)
    return render(request, "disputes/case_form.html", {"form": form, "case": case, "has_projects": True})


@login_required
@loads(case_for_owner)
@require_safe
def case_detail(request, case: Case):
    return _case_page(request, case)


@functools.cache
def _blank_entry_form(language: str) -> str:
    """The empty "add to the timeline" form's fields: the same markup on every case page (no user
    data, no token), so each process renders it once per language instead of on every view."""
    return render_to_string("disputes/_entry_form_fields.html", {"entry_form": EntryForm()})


def _case_page(request, case: Case, entry_form: EntryForm | None = None):
    view = case_view(case, viewer=OWNER, params=request.GET)
    attach_clocks([case])
    if entry_form is None:
        fields = _blank_entry_form(get_language())
    else:  # with the person's input and its errors
        fields = render_to_string("disputes/_entry_form_fields.html", {"entry_form": entry_form})
    context = {
        "case": case,
        "view": view,
        **ladder_context(case),
        "entry_form": entry_form or EntryForm(),
        "entry_form_fields": fields,  # a SafeString from the template, escaped there
        "correctable_kinds": TimelineEntry.MANUAL_KINDS,
        "strip": case_strip(view, request.user.time_zone, timezone.now()),
        **_after_resolution(case),
        "escalated": case.stage in ladder.ESCALATED_STAGES,
    }
    return render(request, "disputes/case_detail.html", context)


def _after_resolution(case: Case) -> dict:
    """On a resolved case: a follow-up message to copy, and the feedback reminder if one is set."""
    if case.status != Case.Status.RESOLVED:
        return {}
    return {
        "follow_up": lessons.follow_up_message(case.client.name, case.project.title),
        "feedback": followup.feedback_reminder(case),
        "feedback_days": lessons.FEEDBACK_AFTER_DAYS,
    }


@login_required
@loads(case_for_owner)
@require_POST
def feedback_reminder(request, case: Case):
    try:
        reminder = followup.feedback_reminder_set(case=case, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        when = date_format(timezone.localtime(reminder.next_attempt_at), "j F")
        said = _("Settle will e-mail you on %(day)s to ask %(name)s for feedback.")
        messages.success(request, said % {"day": when, "name": case.client.name})
    return redirect(f"{case.get_absolute_url()}#follow-up")


def _stage_links(request, current: str, stage_counts: list) -> list[dict]:
    """The buttons above the case list: "All", then one per rung with its count, each keeping the
    other filters of the request."""
    params = request.GET.copy()
    for name in ("stage", "page"):
        params.pop(name, None)
    others = params.urlencode()
    joiner = "&" if others else ""
    links = [{"label": gettext("All"), "count": None, "query": others, "active": not current}]
    for value, label, count in stage_counts:
        query = f"{others}{joiner}stage={value}"
        links.append({"label": label, "count": count, "query": query, "active": current == value})
    return links


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


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def case_move(request, case: Case, move: str):
    if move not in ladder.MOVES:
        raise Http404(_("No such move."))
    initial = {
        "expected_stage": case.stage,
        "expected_status": case.status,
        "ground": ladder.default_ground_for_kind(case.kind),
    }
    settled = offer_services.closing_prefill(case) if move == ladder.RESOLVE else None
    if settled is not None:
        initial.update({name: value for name, value in settled.items() if name != "source"})
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
                root_cause_kind=data.get("root_cause_kind", ""),
                lessons_learned=data.get("lessons_learned", ""),
                expected_stage=data["expected_stage"],
                expected_status=data["expected_status"],
            )
        except case_services.StaleCase as stale:
            messages.error(request, refusal(stale))
            return redirect("disputes:case_detail", pk=case.pk)
        except ValidationError as refused:
            messages.error(request, refusal(refused))
            form_errors(form, refused)
        else:
            messages.success(request, _("Done: %(move)s.") % {"move": in_sentence(gettext(ladder.MOVE_LABELS[move]))})
            return redirect("disputes:case_detail", pk=case.pk)
    target = _move_target(case, move)
    return render(
        request,
        "disputes/case_move.html",
        {
            "case": case,
            "form": form,
            "move": move,
            "move_label": ladder.MOVE_LABELS[move],
            "allowed": target is not None,
            "target_rung": ladder.rung(target.stage) if target else None,
            "target_status": Case.Status(target.status).label if target else "",
            "settled": settled,
        },
    )


@login_required
@loads(case_for_owner)
@require_POST
def entry_add(request, case: Case):
    form = EntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            return create_once(
                request,
                lambda: _entry_url(
                    timeline_services.entry_add(
                        case=case,
                        author=request.user,
                        kind=data["kind"],
                        body=data["body"],
                        channel=data["channel"],
                        happened_at=data["happened_at"],
                        amount=data["amount"],
                        shared=data["shared"],
                    )
                ),
                success=_("Added to the timeline.")
                if data["shared"]
                else _("Added to the timeline as a private note."),
            )
        except ValidationError as error:
            form_errors(form, error)
    messages.error(request, _("The entry was not added. Check the form below."))
    return _case_page(request, case, entry_form=form)


def _entry_url(entry: TimelineEntry) -> str:
    return f"{entry.case.get_absolute_url()}?at={entry.pk}#entry-{entry.pk}"


@login_required
@loads(entry_for_owner)
@require_http_methods(["GET", "POST"])
def entry_correct(request, original: TimelineEntry):
    case = original.case
    if original.kind not in TimelineEntry.MANUAL_KINDS:
        raise Http404(_("Entries written by Settle cannot be corrected."))
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
            return create_once(
                request,
                lambda: _entry_url(
                    timeline_services.entry_correct(
                        original=original,
                        author=request.user,
                        body=data["body"],
                        channel=data.get("channel", ""),
                        happened_at=data["happened_at"],
                        amount=data.get("amount"),
                    )
                ),
                success=_("Correction added. The original stays on the record, struck through."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return render(request, "disputes/entry_correct.html", {"case": case, "original": original, "form": form})


@login_required
@loads(entry_for_owner)
@require_http_methods(["GET", "POST"])
def concern_dismiss(request, message: TimelineEntry):
    case = message.case
    if message.kind != TimelineEntry.Kind.MESSAGE_IN or message.corrects_id:
        raise Http404(_("Only a client's message can need no answer."))
    form = NoAnswerNeededForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            timeline_services.concern_dismiss(message=message, author=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Marked as needing no answer. The reason is on the timeline."))
            return redirect(f"{case.get_absolute_url()}?at={message.pk}#entry-{message.pk}")
    return render(request, "disputes/concern_dismiss.html", {"case": case, "message": message, "form": form})
