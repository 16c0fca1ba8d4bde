"""Driving the webhook outbox on a clock the test controls: no worker, no sleeping."""

from datetime import datetime, timedelta

from integrations import webhooks
from integrations.models import Delivery, DeliveryStatus


class Courier:
    """Stands in for Celery: collects what would be enqueued and runs it at the test's time."""

    def __init__(self, monkeypatch, *, start: datetime):
        self.now = start
        self.queue: list[int] = []
        monkeypatch.setattr(webhooks, "_enqueue", self.queue.append)

    def run_queue(self) -> None:
        while self.queue:
            webhooks.delivery_attempt(delivery_id=self.queue.pop(0), now=self.now)

    def tick(self, *, seconds: float = 60) -> None:
        """Let time pass, then do what beat's sweeper and the tasks would do at that moment."""
        self.now += timedelta(seconds=seconds)
        webhooks.deliveries_sweep(now=self.now)
        self.run_queue()

    def until_all_delivered(self, *, limit: timedelta) -> timedelta:
        start = self.now
        while Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists():
            assert self.now - start < limit, "Deliveries still pending after the time allowed"
            self.tick()
        return self.now - start


def swap(*, rental, dispatcher, technician, replacement, t0: datetime, symptom: str = "Hydraulic hose burst"):
    """A breakdown from the phone call to the replacement running on site: 10 min to dispatch,
    arrival after 50, running again after 80."""
    from recovery import services
    from recovery.models import Channel, Outcome

    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom=symptom, at=t0
    )
    services.dispatch_start(
        incident=incident,
        machine=replacement,
        technician=technician,
        by=dispatcher,
        at=t0 + timedelta(minutes=10),
    )
    services.dispatch_arrive(incident=incident, by=technician.user, at=t0 + timedelta(minutes=50))
    return services.incident_recover(
        incident=incident, outcome=Outcome.SWAPPED, by=technician.user, at=t0 + timedelta(minutes=80)
    )
