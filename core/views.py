"""Health probes for load balancers and orchestrators, and the Prometheus scrape endpoint."""

import hmac

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics as pronto_metrics
from .db import reports_reads


@require_GET
def healthz(request):
    """The process is up and serving requests; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    if not settings.CELERY_BROKER_URL:
        return True  # tasks run in-process: there is no broker to reach
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@require_GET
def readyz(request):
    """Ready to take traffic: the database and the broker answer."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
def metrics(request):
    """Prometheus scrape, for holders of METRICS_TOKEN only; absent when no token is configured."""
    if not settings.METRICS_TOKEN:
        raise Http404
    expected = f"Bearer {settings.METRICS_TOKEN}".encode()
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
        return JsonResponse({"detail": "Wrong or missing metrics token.", "code": "forbidden"}, status=403)
    with reports_reads():  # the scrape-time counts read from the replica when there is one
        return HttpResponse(pronto_metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
