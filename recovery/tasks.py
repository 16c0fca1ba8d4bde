"""Periodic work of the recovery engine; each task only calls a service."""

from celery import shared_task

from recovery import learning, services


@shared_task(name="recovery.sla_watch", ignore_result=True)
def sla_watch() -> int:
    """Flag open incidents about to breach their SLA (runs every minute from beat)."""
    return services.sla_watch()


@shared_task(name="recovery.arrival_corrections_fit", ignore_result=True)
def arrival_corrections_fit() -> int:
    """Learn from last night's arrivals: per branch x hour-of-week band (runs nightly from beat)."""
    return len(learning.arrival_corrections_fit().branches)
