"""Periodic work of the recovery engine; each task only calls a service."""

from celery import shared_task

from recovery import services


@shared_task(name="recovery.sla_watch", ignore_result=True)
def sla_watch() -> int:
    """Flag open incidents about to breach their SLA (runs every minute from beat)."""
    return services.sla_watch()
