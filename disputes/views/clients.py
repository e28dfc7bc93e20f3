"""Clients and their warning signs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.forms import ClientForm, WarningSignForm
from disputes.models import Case, Client, Project
from disputes.selectors import HISTORY_LIMIT, field_history
from disputes.selectors_risk import client_risk
from disputes.services import clients as client_services
from disputes.views.common import create_once, form_errors, paginate, querystring_without_page
from disputes.views.loaders import client_for_owner, loads


@login_required
@require_safe
def client_list(request):
    q = request.GET.get("q", "").strip()
    show_archived = request.GET.get("archived") == "1"
    mine = Client.objects.for_owner(request.user)
    clients = (mine.archived() if show_archived else mine.listed()).annotate(
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
        {
            "page": page,
            "q": q,
            "querystring": querystring_without_page(request),
            "show_archived": show_archived,
            "archived_count": mine.archived().count() if not show_archived else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return create_once(
                request,
                lambda: client_services.client_create(owner=request.user, data=form.cleaned_data).get_absolute_url(),
                success=_("Client “%(name)s” added.") % {"name": form.cleaned_data["name"]},
            )
        except ValidationError as error:
            form_errors(form, error)
    return render(request, "disputes/client_form.html", {"form": form})


@login_required
@loads(client_for_owner)
@require_http_methods(["GET", "POST"])
def client_edit(request, client: Client):
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            client_services.client_update(client=client, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Client saved."))
            return redirect("disputes:client_detail", pk=client.pk)
    return render(request, "disputes/client_form.html", {"form": form, "client": client})


@login_required
@loads(client_for_owner)
@require_safe
def client_detail(request, client: Client):
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
        "changes": field_history(client),
        "limit": HISTORY_LIMIT,
        "risk": client_risk(client),
    }
    return render(request, "disputes/client_detail.html", context)


@login_required
@loads(client_for_owner)
@require_POST
def warning_sign_add(request, client: Client):
    form = WarningSignForm(request.POST)
    if form.is_valid():
        try:
            return create_once(
                request,
                lambda: _sign_url(client, request.user, form.cleaned_data),
                success=_("Warning sign recorded."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return _client_page(request, client, warning_form=form)


def _sign_url(client: Client, user, data) -> str:
    client_services.warning_sign_add(client=client, owner=user, **data)
    return f"{client.get_absolute_url()}#warning-signs"
