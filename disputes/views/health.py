"""The health endpoint for load balancers and monitoring: 200 when every check passes, 503 otherwise."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from disputes.health import health_report


@never_cache
@require_safe
def health(request):
    healthy, report = health_report()
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": report}, status=200 if healthy else 503)
