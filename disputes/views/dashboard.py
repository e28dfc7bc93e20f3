from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from disputes.models import Case, Client
from disputes.rules import ladder
from disputes.selectors import open_case_totals, recent_activity
from disputes.views.common import attach_clocks, clock_counts


@login_required
@require_safe
def dashboard(request):
    user = request.user
    if not clock_counts(request)["owner_lists"]:  # someone who only mediates here: their cases
        return redirect("disputes:mediation_cases")
    open_cases = Case.objects.for_owner(user).open()
    per_stage, money = open_case_totals(user)
    rungs = [
        {
            "key": rung.key,
            "label": gettext(rung.label),
            "meaning": gettext(rung.meaning),
            "count": per_stage.get(rung.key, 0),
        }
        for rung in ladder.RUNGS
    ]
    now = timezone.now()
    waiting = list(open_cases.awaiting_answer().select_related("client").order_by("response_due_at", "id")[:5])
    attach_clocks(waiting, now)
    clock = clock_counts(request)
    context = {
        "waiting": waiting,
        "clock": clock,
        "rungs": rungs,
        "open_count": sum(per_stage.values()),
        "money": money,
        "activity": recent_activity(user),
        "client_count": Client.objects.for_owner(user).exists(),
    }
    return render(request, "disputes/dashboard.html", context)
