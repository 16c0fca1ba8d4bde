"""Periodic work of the recovery engine; each task only calls a service."""

from celery import shared_task

from recovery import learning, services


@shared_task(name="recovery.sla_watch", ignore_result=True)
def sla_watch() -> int:
    """Flag open incidents about to breach their SLA (runs every minute from beat)."""
    return services.sla_watch()


@shared_task(name="recovery.travel_corrections_fit", ignore_result=True)
def travel_corrections_fit() -> int:
    """Refit the promise from the journeys of the last PROMISE_HISTORY_DAYS (nightly from beat)."""
    return learning.travel_corrections_fit()
