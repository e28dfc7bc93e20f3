from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from disputes.forms import ClientForm, WarningSignForm
from disputes.models import Case, Client, Project
from disputes.services import clients as client_services
from disputes.views.common import allow_methods, owned_or_404, paginate, querystring_without_page


@login_required
def client_list(request):
    q = request.GET.get("q", "").strip()
    clients = Client.objects.for_owner(request.user).annotate(
        project_count=Count("projects", distinct=True),
        open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN), distinct=True),
        warning_count=Count("warning_signs", distinct=True),
    )
    if q:
        clients = clients.filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q))
    page = paginate(request, clients.order_by("name", "id"))
    return render(
        request,
        "disputes/client_list.html",
        {"page": page, "q": q, "querystring": querystring_without_page(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = client_services.client_create(owner=request.user, data=form.cleaned_data)
        messages.success(request, f"Client “{client.name}” added.")
        return redirect("disputes:client_detail", pk=client.pk)
    return render(request, "disputes/client_form.html", {"form": form})


@login_required
@allow_methods("GET", "POST")
def client_edit(request, pk: int):
    client = owned_or_404(request, Client.objects.for_owner(request.user), pk=pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        client_services.client_update(client=client, data=form.cleaned_data)
        messages.success(request, "Client saved.")
        return redirect("disputes:client_detail", pk=client.pk)
    return render(request, "disputes/client_form.html", {"form": form, "client": client})


@login_required
@allow_methods("GET")
def client_detail(request, pk: int):
    client = owned_or_404(request, Client.objects.for_owner(request.user), pk=pk)
    return _client_page(request, client)


def _client_page(request, client: Client, warning_form: WarningSignForm | None = None):
    projects = Project.objects.filter(client=client).annotate(case_count=Count("cases"))
    cases = Case.objects.filter(client=client).select_related("project")
    context = {
        "client": client,
        "projects": projects,
        "cases": cases,
        "warning_signs": client.warning_signs.all(),
        "warning_form": warning_form or WarningSignForm(),
    }
    return render(request, "disputes/client_detail.html", context)


@login_required
@allow_methods("POST")
def warning_sign_add(request, pk: int):
    client = owned_or_404(request, Client.objects.for_owner(request.user), pk=pk)
    form = WarningSignForm(request.POST)
    if not form.is_valid():
        return _client_page(request, client, warning_form=form)
    client_services.warning_sign_add(client=client, owner=request.user, **form.cleaned_data)
    messages.success(request, "Warning sign recorded.")
    return redirect("disputes:client_detail", pk=client.pk)
