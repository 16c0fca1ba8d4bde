"""Celery tasks of the telematics app: partitions ahead and retention, polls of providers."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from telematics import partitions


@shared_task(name="telematics.partitions_maintain")
def partitions_maintain_task() -> dict[str, list[str]]:
    config = settings.TELEMATICS
    created, dropped = partitions.partitions_maintain(
        today=timezone.now().date(),
        ahead_days=config["PARTITIONS_AHEAD_DAYS"],
        retention_days=config["RETENTION_DAYS"],
    )
    return {"created": [str(day) for day in created], "dropped": [str(day) for day in dropped]}
