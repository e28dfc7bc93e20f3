"""Projects, their payment plan and their scope agreement versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.diff import agreement_changes
from disputes.forms import AgreementForm, MilestoneForm, MilestonePaidForm, ProjectCreateForm, ProjectForm
from disputes.models import Case, Client, Milestone, Project, ScopeAgreement
from disputes.selectors import HISTORY_LIMIT, field_history, milestone_history, plan_differences
from disputes.selectors_lessons import lessons_for
from disputes.selectors_risk import client_risk
from disputes.services import projects as project_services
from disputes.views.common import create_once, form_errors, paginate, querystring_without_page, refusal
from disputes.views.loaders import agreement_for_owner, loads, milestone_for_owner, project_for_owner


@login_required
@require_safe
def project_list(request):
    q = request.GET.get("q", "").strip()
    show_archived = request.GET.get("archived") == "1"
    mine = Project.objects.for_owner(request.user)
    projects = (
        (mine.archived() if show_archived else mine.listed())
        .select_related("client")
        .annotate(
            agreement_count=Count("agreements", distinct=True),
            open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN), distinct=True),
        )
    )
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(client__name__icontains=q))
    page = paginate(request, projects.order_by("-created_at", "-id"))
    context = {
        "page": page,
        "q": q,
        "querystring": querystring_without_page(request),
        "show_archived": show_archived,
        "archived_count": mine.archived().count() if not show_archived else None,
    }
    return render(request, "disputes/project_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    initial = {}
    client_id = request.GET.get("client", "")
    if client_id.isdigit() and Client.objects.for_owner(request.user).filter(pk=client_id).exists():
        initial["client"] = int(client_id)
    form = ProjectCreateForm(request.POST or None, owner=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client = data.pop("client")
        try:
            return create_once(
                request,
                lambda: project_services.project_create(
                    owner=request.user, client=client, data=data
                ).get_absolute_url(),
                success=_("Project “%(title)s” added. Now record its scope agreement.") % {"title": data["title"]},
            )
        except ValidationError as error:
            form_errors(form, error)
    has_clients = Client.objects.for_owner(request.user).exists()
    chosen = form.data if form.is_bound else initial
    context = {"form": form, "has_clients": has_clients, **_new_work(request.user, chosen)}
    return render(request, "disputes/project_form.html", context)


def _new_work(user, chosen) -> dict:
    """What the new-project page shows for the client and kind of work chosen so far: lessons from
    past cases, and the client's risk. Only the user's own clients and cases are read."""
    raw = str(chosen.get("client") or "")
    client_id = int(raw) if raw.isdigit() and int(raw) < 2**63 else None
    client = Client.objects.for_owner(user).filter(pk=client_id).first() if client_id else None
    return {
        "past_lessons": lessons_for(user, client.pk if client else None, str(chosen.get("work_kind") or "")),
        "risk": client_risk(client) if client else None,
        "risk_client": client,
    }


@login_required
@require_safe
def project_lessons(request):
    """The new-project page's panel (lessons, the client's risk) for the client and kind of work
    chosen so far: the page swaps it in as either changes (static/js/lessons.js)."""
    return render(request, "disputes/_lessons_panel.html", _new_work(request.user, request.GET))


@login_required
@loads(project_for_owner)
@require_http_methods(["GET", "POST"])
def project_edit(request, project: Project):
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_update(project=project, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect("disputes:project_detail", pk=project.pk)
    return render(request, "disputes/project_form.html", {"form": form, "project": project, "has_clients": True})


@login_required
@loads(project_for_owner)
@require_safe
def project_detail(request, project: Project):
    return _project_page(request, project)


def _project_page(request, project: Project, milestone_form: MilestoneForm | None = None):
    milestones = list(project.milestones.all())
    today = timezone.localdate()
    for milestone in milestones:
        milestone.past_due = bool(milestone.due_date and not milestone.paid_on and milestone.due_date < today)
    totals = project.milestones.aggregate(total=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
    agreements = list(project.agreements.select_related("created_by").order_by("-version"))
    context = {
        "project": project,
        "milestones": milestones,
        "totals": totals,
        "agreements": agreements,
        "differences": plan_differences(project, agreements=agreements, milestones=milestones),
        "cases": project.cases.all(),
        "milestone_form": milestone_form or MilestoneForm(),
        "changes": _project_history(project, milestones),
        "limit": HISTORY_LIMIT,
        "risk": client_risk(project.client),
    }
    return render(request, "disputes/project_detail.html", context)


def _project_history(project: Project, milestones: list) -> list:
    """The project's own edits and its milestones' paid dates, newest first, each milestone change named."""
    titles = {milestone.pk: milestone.title for milestone in milestones}
    mine, theirs = field_history(project), milestone_history(project)
    for change in theirs:
        change.about = titles.get(change.subject_id, "")
    merged = sorted([*mine, *theirs], key=lambda change: (change.changed_at, change.pk), reverse=True)
    return merged[:HISTORY_LIMIT]


@login_required
@loads(project_for_owner)
@require_POST
def milestone_add(request, project: Project):
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            return create_once(
                request,
                lambda: _added_milestone_url(project, request.user, form.cleaned_data),
                success=_("Milestone added."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return _project_page(request, project, milestone_form=form)


def _added_milestone_url(project: Project, user, data) -> str:
    project_services.milestone_add(project=project, actor=user, **data)
    return f"{project.get_absolute_url()}#milestones"


@login_required
@loads(milestone_for_owner)
@require_POST
def milestone_paid(request, milestone: Milestone):
    project = milestone.project
    form = MilestonePaidForm(request.POST)
    if form.is_valid():
        try:
            project_services.milestone_mark_paid(
                milestone=milestone, actor=request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except ValidationError as error:
            messages.error(request, _("Milestone not updated: %(why)s") % {"why": refusal(error)})
        else:
            messages.success(request, _("Milestone updated."))
    else:
        messages.error(request, _("Milestone not updated: %(why)s") % {"why": " ".join(form.errors.get("paid_on", []))})
    return redirect("disputes:project_detail", pk=project.pk)


@login_required
@loads(project_for_owner)
@require_POST
def project_work_stop(request, project: Project):
    """Stop work until paid (with an optional reason), or with `resume` lift the stop."""
    resume = request.POST.get("resume") == "1"
    try:
        if resume:
            project_services.project_work_resume(project=project, actor=request.user)
        else:
            project_services.project_work_stop(
                project=project, actor=request.user, reason=request.POST.get("reason", "")
            )
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        open_cases = project.cases.filter(status=Case.Status.OPEN).count()
        said = str(_("Work resumed.") if resume else _("Work stopped until paid."))
        if open_cases:
            said += " " + ngettext(
                "Recorded on the timeline of %(count)s open case.",
                "Recorded on the timeline of %(count)s open cases.",
                open_cases,
            ) % {"count": open_cases}
        messages.success(request, said)
    return redirect(f"{project.get_absolute_url()}#work-stop")


@login_required
@loads(project_for_owner)
@require_http_methods(["GET", "POST"])
def agreement_create(request, project: Project):
    latest = project.agreements.order_by("-version").first()
    if latest is not None:
        initial = {name: getattr(latest, name) for name in ScopeAgreement.TERMS}
    else:
        initial = {"price": project.price, "currency": project.currency}
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            return create_once(
                request,
                lambda: _agreement_url(
                    project_services.agreement_create(project=project, author=request.user, data=form.cleaned_data)
                ),
                success=_("Scope agreement saved as a new version."),
            )
        except ValidationError as error:
            form_errors(form, error)
    past = lessons_for(request.user, project.client_id, project.work_kind)
    context = {
        "form": form,
        "project": project,
        "latest": latest,
        "past_lessons": past,
        "risk": client_risk(project.client),
        "risk_client": project.client,
    }
    return render(request, "disputes/agreement_form.html", context)


def _agreement_url(agreement: ScopeAgreement) -> str:
    return reverse("disputes:agreement_detail", args=[agreement.project_id, agreement.version])


@login_required
@loads(agreement_for_owner)
@require_safe
def agreement_detail(request, agreement: ScopeAgreement):
    project = agreement.project
    versions = list(project.agreements.values_list("version", flat=True).order_by("-version"))
    previous = project.agreements.filter(version__lt=agreement.version).order_by("-version").first()
    changes = agreement_changes(previous, agreement) if previous else []
    return render(
        request,
        "disputes/agreement_detail.html",
        {"project": project, "agreement": agreement, "versions": versions, "previous": previous, "changes": changes},
    )


@login_required
@loads(project_for_owner)
@require_safe
def agreement_compare(request, project: Project):
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404(_("Pick two versions to compare.")) from None
    agreements = {ag.version: ag for ag in project.agreements.filter(version__in=[a, b])}
    if a not in agreements or b not in agreements:
        raise Http404(_("No such version."))
    old, new = sorted([agreements[a], agreements[b]], key=lambda ag: ag.version)
    versions = list(project.agreements.values_list("version", flat=True).order_by("-version"))
    return render(
        request,
        "disputes/agreement_compare.html",
        {"project": project, "old": old, "new": new, "changes": agreement_changes(old, new), "versions": versions},
    )
