"""Celery tasks for the webhooks; each only calls a service."""

from celery import shared_task

from integrations import webhooks


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def webhook_deliver_task(self, delivery_id: int) -> None:
    outcome = webhooks.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        # The row counts attempts and decides when to give up; Celery only waits.
        raise self.retry(countdown=outcome.retry_in)


@shared_task(name="integrations.webhooks_sweep", ignore_result=True)
def webhooks_sweep_task() -> dict[str, int]:
    return webhooks.deliveries_sweep()
