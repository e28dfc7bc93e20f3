"""The bare page the benchmark compares Settle's pages with: signed in, 25 rows from one keyset query,
rendered by a plain Django template. Three queries: the session, the user, the rows."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

from disputes.models import Case

PAGE = Engine().from_string(
    "<!doctype html><title>Cases</title><table>{% for case in cases %}"
    "<tr><td>{{ case.pk }}</td><td>{{ case.title }}</td><td>{{ case.amount_in_dispute }} {{ case.currency }}</td>"
    "<td>{{ case.opened_at|date:'j M Y' }}</td></tr>{% endfor %}</table>"
)


@login_required(login_url="/nowhere/")
def cases(request):
    after = int(request.GET.get("after", 0))
    rows = Case.objects.filter(owner=request.user, pk__gt=after).order_by("pk")[:25]
    return HttpResponse(PAGE.render(Context({"cases": rows})))


urlpatterns = [path("bare/", cases)]
