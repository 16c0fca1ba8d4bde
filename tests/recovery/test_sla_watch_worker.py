"""The SLA watch runs in a real Celery worker on Redis and flags what the console must escalate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recovery import tasks
from recovery.models import EventKind, Incident
from tests import factories
from tests.helpers import wait_until

pytestmark = pytest.mark.worker


def test_sla_watch_task_flags_an_incident_near_its_deadline(celery_worker, rental, dispatcher):
    incident = factories.incident_through(
        rental=rental,
        by=dispatcher,
        symptom="No power",
        reported_at=timezone.now() - timedelta(hours=3, minutes=30),
    )

    tasks.sla_watch.delay()

    flagged = wait_until(lambda: Incident.objects.get(pk=incident.pk).sla_at_risk_since)
    assert timezone.now() - flagged < timedelta(minutes=1)
    assert incident.timeline.filter(kind=EventKind.SLA_AT_RISK).count() == 1
