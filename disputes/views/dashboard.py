from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from disputes.models import Case, Client, Project, TimelineEntry
from disputes.rules import ladder
from disputes.views.common import attach_clocks, due_soon_window


@login_required
@require_safe
def dashboard(request):
    user = request.user
    open_cases = Case.objects.for_owner(user).open()
    per_stage = dict(open_cases.values_list("stage").annotate(n=Count("id")).order_by())
    rungs = [
        {"key": rung.key, "label": rung.label, "meaning": rung.meaning, "count": per_stage.get(rung.key, 0)}
        for rung in ladder.RUNGS
    ]
    money = open_cases.values("currency").annotate(total=Sum("amount_in_dispute"), n=Count("id")).order_by("currency")
    activity = (
        TimelineEntry.objects.filter(case__owner=user)
        .select_related("case", "case__client", "author")
        .order_by("-recorded_at", "-id")[:10]
    )
    now = timezone.now()
    waiting = list(open_cases.awaiting_answer().select_related("client").order_by("response_due_at", "id")[:5])
    attach_clocks(waiting, now)
    clock = open_cases.clock_counts(now, due_soon_window())
    context = {
        "waiting": waiting,
        "clock": clock,
        "rungs": rungs,
        "open_count": sum(per_stage.values()),
        "money": money,
        "activity": activity,
        "client_count": Client.objects.for_owner(user).count(),
        "project_count": Project.objects.for_owner(user).count(),
    }
    return render(request, "disputes/dashboard.html", context)
