"""Periodic personal-data work; the task only calls the service."""

from celery import shared_task

from privacy import services


@shared_task(name="privacy.retention_apply", ignore_result=True)
def retention_apply_task() -> dict[str, int]:
    """Delete SMS bodies and stored API answers past their retention (daily from beat)."""
    return services.retention_apply()
