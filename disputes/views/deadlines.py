"""The deadline board, a case's platform tickets and outside deadlines, the catalogue of common
deadlines, and the private calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from disputes.calendar import feed_ics
from disputes.forms.deadlines import DeadlineForm, DeadlineMoveForm, DeadlineTemplateForm, TicketForm
from disputes.models import CalendarFeed, Case, Deadline, DeadlineTemplate
from disputes.rules import deadlines as rules
from disputes.rules import ladder
from disputes.selectors_deadlines import BoardPage
from disputes.services import deadlines as services
from disputes.views.common import clock_counts, create_once, form_errors, refusal
from disputes.views.loaders import case_for_owner, deadline_for_owner, loads, template_for_owner


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 200 else 1


@login_required
@require_GET
def deadline_board(request):
    now = timezone.now()
    page = BoardPage(request.user, _page_number(request))
    rows = [(item, item.state(now), item.due_at - now) for item in page.object_list]
    counts = clock_counts(request)
    return render(
        request,
        "disputes/deadline_board.html",
        {"page": page, "rows": rows, "counts": counts, "now": now, "querystring": ""},
    )


def _case_page(request, case: Case, *, form=None, ticket_form=None, status=200):
    now = timezone.now()
    deadlines = list(case.deadlines.select_related("ticket").order_by("met_at", "due_at", "id"))
    open_rows = [(d, rules.deadline_state(d.due_at, now), d.due_at - now) for d in deadlines if d.met_at is None]
    context = {
        "case": case,
        "tickets": list(case.tickets.all()),
        "open_rows": open_rows,
        "met": [d for d in deadlines if d.met_at is not None],
        "can_add": case.status == Case.Status.OPEN and case.stage in ladder.ESCALATED_STAGES,
        "form": form or DeadlineForm(case=case, user=request.user),
        "ticket_form": ticket_form or TicketForm(),
    }
    return render(request, "disputes/case_deadlines.html", context, status=status)


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def case_deadlines(request, case: Case):
    if request.method == "GET":
        return _case_page(request, case)
    form = DeadlineForm(request.POST, case=case, user=request.user)
    if form.is_valid():
        data = form.cleaned_data

        def add() -> str:
            services.deadline_add(case=case, actor=request.user, title=data["title"], due_at=data["due_at"],
                                  owed_by=data["owed_by"], ticket=data["ticket"])  # fmt: skip
            return reverse("disputes:case_deadlines", args=[case.pk])

        try:
            return create_once(
                request, add, success=_("Deadline recorded. Settle e-mails you 48 and 24 hours before it.")
            )
        except ValidationError as error:
            form_errors(form, error)
    return _case_page(request, case, form=form, status=400)


@login_required
@loads(case_for_owner)
@require_POST
def ticket_add(request, case: Case):
    form = TicketForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data

        def add() -> str:
            services.ticket_add(case=case, actor=request.user, **data)
            return reverse("disputes:case_deadlines", args=[case.pk])

        try:
            return create_once(request, add, success=_("Ticket recorded on the case and its timeline."))
        except ValidationError as error:
            form_errors(form, error)
    return _case_page(request, case, ticket_form=form, status=400)


@login_required
@loads(deadline_for_owner)
@require_POST
def deadline_met(request, deadline: Deadline):
    try:
        services.deadline_met(deadline=deadline, actor=request.user)
    except ValidationError as error:
        messages.error(request, _("Deadline not changed: %(why)s") % {"why": refusal(error)})
    else:
        messages.success(request, _("“%(title)s” marked as met.") % {"title": deadline.title})
    return redirect("disputes:case_deadlines", pk=deadline.case_id)


@login_required
@loads(deadline_for_owner)
@require_http_methods(["GET", "POST"])
def deadline_move(request, deadline: Deadline):
    if deadline.met_at is not None:
        messages.info(request, _("This deadline is met: it no longer moves."))
        return redirect("disputes:case_deadlines", pk=deadline.case_id)
    form = DeadlineMoveForm(request.POST or None, initial={"due_at": timezone.localtime(deadline.due_at)})
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_move(deadline=deadline, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Deadline moved. Its warnings start again for the new time."))
            return redirect("disputes:case_deadlines", pk=deadline.case_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "disputes/deadline_move.html", {"deadline": deadline, "case": deadline.case,
                                                           "form": form}, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def deadline_templates(request):
    form = DeadlineTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_add(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Added to your common deadlines."))
            return redirect("disputes:deadline_templates")
    templates = DeadlineTemplate.objects.filter(Q(owner=None) | Q(owner=request.user)).order_by("days", "title", "id")
    status = 400 if request.method == "POST" else 200
    return render(request, "disputes/deadline_templates.html", {"templates": templates, "form": form}, status=status)


@login_required
@loads(template_for_owner)
@require_POST
def deadline_template_delete(request, template: DeadlineTemplate):
    services.template_delete(template=template, owner=request.user)
    messages.success(request, _("“%(title)s” removed from your common deadlines.") % {"title": template.title})
    return redirect("disputes:deadline_templates")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """Make, replace or revoke the private calendar address. A new address is shown on the answer
    to the POST that made it, once: Settle keeps only its hash."""
    address = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            token = services.feed_issue(user=request.user)
            address = request.build_absolute_uri(reverse("disputes:calendar_ics", args=[token]))
        elif action == "revoke":
            if services.feed_revoke(user=request.user):
                messages.success(request, _("Calendar address revoked: calendars that read it get nothing more."))
            return redirect("disputes:calendar_feed")
        else:
            messages.error(request, _("Nothing was changed."))
            return redirect("disputes:calendar_feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "disputes/calendar_feed.html", {"feed": feed, "address": address})


def calendar_ics(request, token: str):
    """The feed itself, for calendar apps: no session, the secret in the address is the key. An
    unknown secret is a 404 whatever the method, like any address that names nothing of yours."""
    reading = request.method in ("GET", "HEAD")
    user = services.feed_user(token, touch=reading)
    if user is None:
        raise Http404(_("No calendar at this address. It may have been revoked or replaced."))
    if not reading:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = HttpResponse(feed_ics(user, timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="settle-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
