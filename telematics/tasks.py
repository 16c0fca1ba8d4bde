"""Celery tasks of the telematics app: partitions ahead and retention, polls of providers."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from telematics import faults, partitions, services


@shared_task(name="telematics.partitions_maintain")
def partitions_maintain_task() -> dict[str, list[str]]:
    config = settings.TELEMATICS
    created, dropped = partitions.partitions_maintain(
        today=timezone.now().date(),
        ahead_days=config["PARTITIONS_AHEAD_DAYS"],
        retention_days=config["RETENTION_DAYS"],
    )
    return {"created": [str(day) for day in created], "dropped": [str(day) for day in dropped]}


@shared_task(name="telematics.providers_poll_due")
def providers_poll_due_task() -> int:
    """Beat calls this every minute; each provider is polled at its own interval."""
    due = services.providers_due(now=timezone.now())
    for provider_id in due:
        provider_poll_task.delay(provider_id)
    return len(due)


@shared_task(name="telematics.provider_poll")
def provider_poll_task(provider_id: int) -> dict | None:
    provider = services.provider_poll_claim(provider_id=provider_id, now=timezone.now())
    if provider is None:
        return None  # another worker has this turn, or the provider was switched off
    result = services.provider_poll(provider=provider)
    return {"machines": result.machines, "accepted": result.accepted, "faults": result.faults}


@shared_task(name="telematics.suspected_incidents_escalate")
def suspected_incidents_escalate_task() -> int:
    return faults.suspected_incidents_escalate()
