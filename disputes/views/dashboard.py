from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from disputes.models import Case, CaseTally, Client, Project, TimelineEntry
from disputes.rules import ladder
from disputes.views.common import attach_clocks, clock_counts


@login_required
@require_safe
def dashboard(request):
    user = request.user
    open_cases = Case.objects.for_owner(user).open()
    # The totals come from the tallies the database keeps with every case change (disputes.tallies),
    # not from a scan of the user's cases.
    tallies = list(CaseTally.objects.filter(owner=user, cases__gt=0))
    per_stage: dict[str, int] = {}
    per_currency: dict[str, dict] = {}
    for tally in tallies:
        per_stage[tally.stage] = per_stage.get(tally.stage, 0) + tally.cases
        row = per_currency.setdefault(tally.currency, {"currency": tally.currency, "total": Decimal(0), "n": 0})
        row["total"] += tally.amount
        row["n"] += tally.cases
    rungs = [
        {"key": rung.key, "label": rung.label, "meaning": rung.meaning, "count": per_stage.get(rung.key, 0)}
        for rung in ladder.RUNGS
    ]
    money = [per_currency[code] for code in sorted(per_currency)]
    # The ten latest entries are among the ten cases written to last (Case.last_entry_at, indexed).
    recent = list(Case.objects.for_owner(user).order_by("-last_entry_at").filter(last_entry_at__isnull=False)
                  .values_list("pk", flat=True)[:10])  # fmt: skip
    activity = (
        TimelineEntry.objects.filter(case_id__in=recent)
        .select_related("case", "case__client", "author")
        .order_by("-recorded_at", "-id")[:10]
    )
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
        "activity": activity,
        "client_count": Client.objects.for_owner(user).count(),
        "project_count": Project.objects.for_owner(user).count(),
    }
    return render(request, "disputes/dashboard.html", context)
