"""Celery tasks for customer SMS; each loads by id and calls a service."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def message_send_task(self, message_id: int) -> None:
    outcome = services.message_send(message_id=message_id)
    if outcome.retry_in is not None:
        # The service counts attempts on the row and gives up there; Celery only waits.
        raise self.retry(countdown=outcome.retry_in)


@shared_task
def messages_sweep_task() -> dict[str, int]:
    return services.messages_sweep()


@shared_task
def surveys_send_due_task() -> int:
    return services.surveys_queue_due()
