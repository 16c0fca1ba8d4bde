"""Webhooks through a real Celery worker on Redis, killed in the middle of a delivery."""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import webhooks
from integrations.models import Delivery, DeliveryStatus
from recovery import services
from recovery.models import Channel
from tests.helpers import wait_until

pytestmark = pytest.mark.worker


def test_an_event_reaches_the_rental_system_through_the_worker(
    celery_worker, endpoint, rental_system, rental, dispatcher
):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead"
    )

    wait_until(lambda: rental_system.types() == ["incident.opened"])
    assert rental_system.applied[0]["data"]["incident"]["id"] == incident.pk
    assert rental_system.rejected_signatures == 0
    wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.DELIVERED)


@pytest.mark.parametrize("arrived", [False, True], ids=["request-lost", "answer-lost"])
def test_a_worker_killed_mid_delivery_loses_nothing(
    celery_worker, endpoint, rental_system, rental, dispatcher, settings, arrived
):
    settings.PRONTO = {**settings.PRONTO, "WEBHOOK_STALE_SENDING_SECONDS": 0}
    hang = rental_system.hang_next(apply=arrived)
    services.incident_log(rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead")
    assert hang.started.wait(20)
    celery_worker.stop(sig=signal.SIGKILL)
    hang.released.set()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENDING

    celery_worker.start()
    assert webhooks.deliveries_sweep(now=timezone.now() + timedelta(seconds=1))["taken_back"] == 1

    wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.DELIVERED)
    event_id = f"evt_{delivery.event.event_id.hex}"
    assert rental_system.types() == ["incident.opened"]
    # Sent once or twice, always under one id: the receiver's check is all it takes.
    assert set(rental_system.requests) == {event_id}
    assert len(rental_system.requests) == (2 if arrived else 1)
