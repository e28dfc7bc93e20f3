"""What Settle knows about a client, gathered for the risk rules (rules.risk): four aggregate
queries per client, whatever their history's length."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from disputes.models import Case, Client, Concern, Milestone, WarningSign
from disputes.rules import ladder, risk


def client_history(client: Client, now: datetime.datetime | None = None) -> risk.History:
    now = now or timezone.now()
    today = timezone.localdate(now)
    labels = dict(WarningSign.Kind.choices)
    kinds = WarningSign.objects.filter(client=client).order_by("kind").values_list("kind", flat=True).distinct()
    cases = Case.objects.filter(client=client).aggregate(
        open=Count("id", filter=Q(status=Case.Status.OPEN)),
        closed=Count("id", filter=~Q(status=Case.Status.OPEN)),
        escalated=Count("id", filter=Q(stage__in=ladder.ESCALATED_STAGES)),
        losses=Count("id", filter=Q(status=Case.Status.RESOLVED, outcome__in=risk.LOSSES)),
        walked_away=Count("id", filter=Q(status=Case.Status.WALKED_AWAY)),
    )
    payments = Milestone.objects.filter(project__client=client, due_date__isnull=False).aggregate(
        late=Count("id", filter=Q(paid_on__gt=F("due_date"))),
        unpaid=Count("id", filter=Q(paid_on__isnull=True, due_date__lt=today)),
    )
    concerns = Concern.objects.filter(case__client=client).aggregate(
        late=Count("id", filter=Q(answered_at__gt=F("due_at")) | Q(state=Concern.State.OPEN, due_at__lt=now))
    )
    return risk.History(
        signs={kind: labels.get(kind, kind) for kind in kinds},
        open_cases=cases["open"],
        closed_cases=cases["closed"],
        escalated_cases=cases["escalated"],
        losses=cases["losses"],
        walked_away=cases["walked_away"],
        late_payments=payments["late"],
        unpaid_overdue=payments["unpaid"],
        concerns_late=concerns["late"],
    )


def client_risk(client: Client, now: datetime.datetime | None = None) -> risk.Risk:
    return risk.assess(client_history(client, now))
