"""Reports with charts, the lessons page, and the CSV exports."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from disputes.exports import cases_csv, timeline_csv
from disputes.forms.reports import ReportRangeForm
from disputes.models import Case
from disputes.rules import lessons
from disputes.selectors_lessons import cause_counts, with_lessons
from disputes.selectors_reports import month_bounds, report
from disputes.views.common import paginate, querystring_without_page
from disputes.views.loaders import case_for_owner, loads


def _chart(name: str, kind: str, labels: list, series: dict[str, list]) -> dict:
    return {"id": name, "type": kind, "labels": [str(label) for label in labels],
            "series": [{"label": label, "data": data} for label, data in series.items()]}  # fmt: skip


@login_required
@require_GET
def reports(request):
    form = ReportRangeForm(request.GET or None)
    first, last = form.range()
    if not form.is_bound:  # show the months the page covers
        form = ReportRangeForm(initial={"start": first, "end": last})
    data = report(request.user, first, last, timezone.now())
    month_labels = [month.strftime("%b %Y") for month in data.months]
    charts = [
        _chart("per-month", "bar", month_labels, {
            "Opened": [data.opened.get(m, 0) for m in data.months],
            "Closed": [data.closed.get(m, 0) for m in data.months],
        }),
        _chart("by-kind", "bar", [k for k, _ in data.by_kind], {"Cases": [n for _, n in data.by_kind]}),
        _chart("by-rung", "bar", [k for k, _ in data.by_rung], {"Cases": [n for _, n in data.by_rung]}),
        _chart("by-outcome", "bar", [k for k, _ in data.by_outcome], {"Cases": [n for _, n in data.by_outcome]}),
        _chart("money", "bar", [row["currency"] for row in data.money], {
            "Disputed": [float(row["disputed"]) for row in data.money],
            "Recovered": [float(row["recovered"]) for row in data.money],
        }),
        _chart("root-causes", "bar", [k for k, _ in data.root_causes], {"Cases": [n for _, n in data.root_causes]}),
    ]  # fmt: skip
    context = {
        "form": form,
        "first": first,
        "last": last,
        "report": data,
        "month_rows": [
            (label, data.opened.get(m, 0), data.closed.get(m, 0))
            for label, m in zip(month_labels, data.months, strict=True)
        ],
        "charts": charts,
        "query": request.GET.urlencode(),
    }
    return render(request, "disputes/reports.html", context)


@login_required
@require_GET
def cases_export(request):
    """Every case of the user opened in the report's range of months, as CSV."""
    form = ReportRangeForm(request.GET or None)
    first, last = form.range()
    start, end = month_bounds(request.user, first, last)
    cases = Case.objects.filter(owner=request.user, opened_at__gte=start, opened_at__lt=end)
    response = StreamingHttpResponse(cases_csv(request.user, cases), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settle-cases-{first:%Y-%m}-to-{last:%Y-%m}.csv"'
    return response


@login_required
@loads(case_for_owner)
@require_GET
def timeline_export(request, case: Case):
    response = StreamingHttpResponse(timeline_csv(request.user, case), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settle-case-{case.pk}-timeline.csv"'
    return response


@login_required
@require_GET
def lessons_page(request):
    cases = with_lessons(request.user)
    kind = request.GET.get("kind", "")
    if kind in Case.Kind.values:
        cases = cases.filter(kind=kind)
    cause = request.GET.get("cause", "")
    if cause in lessons.ROOT_CAUSES:
        cases = cases.filter(root_cause_kind=cause)
    page = paginate(request, cases)
    context = {
        "page": page,
        "causes": cause_counts(request.user),
        "kinds": Case.Kind.choices,
        "kind": kind,
        "cause": cause,
        "querystring": querystring_without_page(request),
    }
    return render(request, "disputes/lessons.html", context)
