from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from disputes.diff import agreement_changes
from disputes.forms import AgreementForm, MilestoneForm, MilestonePaidForm, ProjectCreateForm, ProjectForm
from disputes.models import Case, Client, Milestone, Project, ScopeAgreement
from disputes.services import projects as project_services
from disputes.views.common import allow_methods, owned_or_404, paginate, querystring_without_page


def _owned_project(request, pk: int, *, final: bool = True) -> Project:
    return owned_or_404(request, Project.objects.for_owner(request.user).select_related("client"), final=final, pk=pk)


@login_required
def project_list(request):
    q = request.GET.get("q", "").strip()
    projects = (
        Project.objects.for_owner(request.user)
        .select_related("client")
        .annotate(
            agreement_count=Count("agreements", distinct=True),
            open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN), distinct=True),
        )
    )
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(client__name__icontains=q))
    page = paginate(request, projects.order_by("-created_at", "-id"))
    return render(
        request, "disputes/project_list.html", {"page": page, "q": q, "querystring": querystring_without_page(request)}
    )


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
        project = project_services.project_create(owner=request.user, client=client, data=data)
        messages.success(request, f"Project “{project.title}” added. Now record its scope agreement.")
        return redirect("disputes:project_detail", pk=project.pk)
    has_clients = Client.objects.for_owner(request.user).exists()
    return render(request, "disputes/project_form.html", {"form": form, "has_clients": has_clients})


@login_required
@allow_methods("GET", "POST")
def project_edit(request, pk: int):
    project = _owned_project(request, pk)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        project_services.project_update(project=project, data=form.cleaned_data)
        messages.success(request, "Project saved.")
        return redirect("disputes:project_detail", pk=project.pk)
    return render(request, "disputes/project_form.html", {"form": form, "project": project, "has_clients": True})


@login_required
@allow_methods("GET")
def project_detail(request, pk: int):
    return _project_page(request, _owned_project(request, pk))


def _project_page(request, project: Project, milestone_form: MilestoneForm | None = None):
    milestones = list(project.milestones.all())
    totals = project.milestones.aggregate(total=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
    context = {
        "project": project,
        "milestones": milestones,
        "totals": totals,
        "agreements": project.agreements.select_related("created_by").order_by("-version"),
        "cases": project.cases.all(),
        "milestone_form": milestone_form or MilestoneForm(),
    }
    return render(request, "disputes/project_detail.html", context)


@login_required
@allow_methods("POST")
def milestone_add(request, pk: int):
    project = _owned_project(request, pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, milestone_form=form)
    project_services.milestone_add(project=project, **form.cleaned_data)
    messages.success(request, "Milestone added.")
    return redirect("disputes:project_detail", pk=project.pk)


@login_required
@allow_methods("POST")
def milestone_paid(request, pk: int, milestone_pk: int):
    project = _owned_project(request, pk, final=False)
    milestone = owned_or_404(request, Milestone.objects.filter(project=project), pk=milestone_pk)
    form = MilestonePaidForm(request.POST)
    if form.is_valid():
        project_services.milestone_mark_paid(milestone=milestone, paid_on=form.cleaned_data["paid_on"])
        messages.success(request, "Milestone updated.")
    else:
        messages.error(request, f"Milestone not updated: {' '.join(form.errors.get('paid_on', []))}")
    return redirect("disputes:project_detail", pk=project.pk)


@login_required
@allow_methods("GET", "POST")
def agreement_create(request, pk: int):
    project = _owned_project(request, pk)
    latest = project.agreements.order_by("-version").first()
    if latest is not None:
        initial = {name: getattr(latest, name) for name in ScopeAgreement.TERMS}
    else:
        initial = {"price": project.price, "currency": project.currency}
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed_terms = [name for name in form.changed_data if name != "change_note"]
        if latest is not None and not changed_terms:
            form.add_error(None, "Nothing changed from the current version, so no new version was made.")
        else:
            agreement = project_services.agreement_create(project=project, author=request.user, data=form.cleaned_data)
            messages.success(request, f"Scope agreement version {agreement.version} saved.")
            return redirect("disputes:agreement_detail", pk=project.pk, version=agreement.version)
    return render(request, "disputes/agreement_form.html", {"form": form, "project": project, "latest": latest})


@login_required
@allow_methods("GET")
def agreement_detail(request, pk: int, version: int):
    project = _owned_project(request, pk, final=False)
    agreement = owned_or_404(request, project.agreements.select_related("created_by"), version=version)
    versions = list(project.agreements.values_list("version", flat=True).order_by("-version"))
    previous = project.agreements.filter(version__lt=version).order_by("-version").first()
    changes = agreement_changes(previous, agreement) if previous else []
    return render(
        request,
        "disputes/agreement_detail.html",
        {"project": project, "agreement": agreement, "versions": versions, "previous": previous, "changes": changes},
    )


@login_required
@allow_methods("GET")
def agreement_compare(request, pk: int):
    project = _owned_project(request, pk)
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404("Pick two versions to compare.") from None
    agreements = {ag.version: ag for ag in project.agreements.filter(version__in=[a, b])}
    if a not in agreements or b not in agreements:
        raise Http404("No such version.")
    old, new = sorted([agreements[a], agreements[b]], key=lambda ag: ag.version)
    versions = list(project.agreements.values_list("version", flat=True).order_by("-version"))
    return render(
        request,
        "disputes/agreement_compare.html",
        {"project": project, "old": old, "new": new, "changes": agreement_changes(old, new), "versions": versions},
    )
