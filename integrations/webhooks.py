"""Outbound webhooks: the outbox the recovery engine and the workshop fill inside their
transactions, and the delivery that claims a row once, signs it and retries with backoff.

Nothing goes out from memory: the event and one delivery row per subscribed endpoint are written in
the caller's transaction, a task is enqueued after commit, and the sweeper finds any row whose task
was lost. Per endpoint, deliveries sharing an ordering key (one rental) go strictly in order: a later
one waits while an earlier one is undelivered. A receiver may see an event twice (a worker killed
after the POST left) but always with the same event id, so its id check drops the repeat."""

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fleet.models import Rental
from integrations import selectors
from integrations.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
    WebhookEvent,
)
from integrations.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttemptOutcome:
    """What the task does next: nothing, or run again in `retry_in` seconds."""

    retry_in: float | None = None


DONE = AttemptOutcome()


def _setting(name: str) -> Any:
    return settings.PRONTO[name]


def _enqueue(delivery_id: int) -> None:
    from integrations.tasks import webhook_deliver_task

    try:
        webhook_deliver_task.delay(delivery_id)
    except Exception:
        # The broker is down: the row is committed and queued, so the sweeper will send it.
        logger.warning("Could not enqueue webhook delivery %s; the sweeper will.", delivery_id, exc_info=True)


def event_publish(
    *, type: str, ordering_key: str, data: dict, at: datetime | None = None
) -> WebhookEvent | None:
    """Record an event and one delivery per endpoint subscribed to its type; None when nobody is.

    Call it inside the transaction of the step it reports: the event exists only if that commits."""
    at = at or timezone.now()
    endpoints = list(Endpoint.objects.filter(is_active=True, subscriptions__event_type=type).distinct())
    if not endpoints:
        return None
    # Through the JSON encoder once, so what is stored is exactly what every attempt sends.
    event = WebhookEvent.objects.create(
        type=type,
        ordering_key=ordering_key,
        data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        occurred_at=at,
    )
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(event=event, endpoint=endpoint, ordering_key=ordering_key, next_attempt_at=now)
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]

    def enqueue_all() -> None:
        for delivery_id in ids:
            _enqueue(delivery_id)

    transaction.on_commit(enqueue_all)
    return event


def envelope(event: WebhookEvent) -> dict:
    """The body every endpoint receives for an event; the same on every attempt."""
    return {
        "id": f"evt_{event.event_id.hex}",
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "ordering_key": event.ordering_key,
        "data": event.data,
    }


def _backoff_seconds(attempt: int) -> float:
    base = _setting("WEBHOOK_RETRY_BASE_SECONDS")
    ceiling = _setting("WEBHOOK_RETRY_MAX_SECONDS")
    # Jitter spreads the retries after an outage instead of replaying the backlog in lockstep.
    return min(base * 2 ** (attempt - 1), ceiling) * random.uniform(0.8, 1.0)


def _post(delivery: Delivery, *, now: datetime) -> tuple[int | None, str, str]:
    """POST the signed event; (HTTP status or None, error, the first characters of the answer)."""
    body = json.dumps(envelope(delivery.event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Pronto-Webhooks/1",
        "Pronto-Event-Id": f"evt_{delivery.event.event_id.hex}",
        "Pronto-Event-Type": delivery.event.type,
        SIGNATURE_HEADER: signature_header(
            secret=delivery.endpoint.secret, timestamp=int(now.timestamp()), body=body
        ),
    }
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers=headers,
            timeout=_setting("WEBHOOK_HTTP_TIMEOUT_SECONDS"),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:255], ""
    return response.status_code, "", response.text[:500]


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> AttemptOutcome:
    """Try one delivery once, if it is queued, due and first in its line."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return DONE
    if delivery.next_attempt_at > now:
        # Early (a clock a little ahead where it was enqueued): wait for the time, or for the sweeper.
        return _wait((delivery.next_attempt_at - now).total_seconds())
    if selectors.delivery_waits_for_earlier(delivery=delivery):
        return DONE  # the earlier one hands over when it is delivered (or the sweeper does)
    claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, sending_started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return DONE  # another task got there first
    delivery.refresh_from_db(fields=["attempts"])

    started = time.monotonic()
    status_code, error, answer = _post(delivery, now=now)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        duration_ms=int((time.monotonic() - started) * 1000),
        status_code=status_code,
        error=error,
        response_excerpt=answer,
    )
    if status_code is not None and 200 <= status_code < 300:
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=status_code,
            last_error="",
        )
        _hand_over(delivery)
        return DONE

    failure = error or f"HTTP {status_code}"
    if delivery.attempts >= _setting("WEBHOOK_MAX_ATTEMPTS"):
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_status_code=status_code, last_error=failure
        )
        logger.error(
            "Webhook delivery %s gave up after %s attempts: %s", delivery.pk, delivery.attempts, failure
        )
        _hand_over(delivery)
        return DONE
    delay = _backoff_seconds(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED,
        next_attempt_at=now + timedelta(seconds=delay),
        last_status_code=status_code,
        last_error=failure,
    )
    return _wait(delay)


def _wait(seconds: float) -> AttemptOutcome:
    # Short waits ride on the task's countdown; longer ones on the sweeper, since a countdown
    # beyond the broker's visibility timeout would run twice.
    return (
        AttemptOutcome(retry_in=seconds)
        if seconds <= _setting("WEBHOOK_TASK_COUNTDOWN_MAX_SECONDS")
        else DONE
    )


def _hand_over(delivery: Delivery) -> None:
    following = selectors.next_in_line(delivery=delivery)
    if following is not None:
        _enqueue(following.pk)


def deliveries_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue every line's first delivery that is due, and take back a send a dead worker left.

    A row left in sending longer than any POST can last went down with its worker: it is queued
    again and sent with the same event id, which the receiver's id check recognises if it arrived."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=_setting("WEBHOOK_STALE_SENDING_SECONDS"))
    counts = {"enqueued": 0, "taken_back": 0}
    for delivery in selectors.heads_of_lines():
        if delivery.status == DeliveryStatus.SENDING:
            if delivery.sending_started_at is None or delivery.sending_started_at > stale:
                continue
            taken = Delivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.SENDING, sending_started_at=delivery.sending_started_at
            ).update(status=DeliveryStatus.QUEUED, next_attempt_at=now, last_error="The send never came back")
            if not taken:
                continue
            counts["taken_back"] += 1
        elif delivery.next_attempt_at > now:
            continue
        _enqueue(delivery.pk)
        counts["enqueued"] += 1
    return counts


def delivery_replay(*, delivery: Delivery, now: datetime | None = None) -> bool:
    """Send a delivered or failed event again (same id), from the admin; False if still pending."""
    now = now or timezone.now()
    replayed = Delivery.objects.filter(
        pk=delivery.pk, status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
    ).update(status=DeliveryStatus.QUEUED, next_attempt_at=now, attempts=0, last_error="")
    if replayed:
        transaction.on_commit(lambda: _enqueue(delivery.pk))
    return bool(replayed)


def customer_events_erase(*, customer_id: int, scrub: Callable[[str], str]) -> int:
    """Scrub a customer's name, contact and words from the webhook events about their rentals.

    The events stay (the delivery log), their figures too; what the rental system already received
    is erased there by its own process."""
    erased = 0
    keys = [
        f"rental:{pk}" for pk in Rental.objects.filter(customer_id=customer_id).values_list("pk", flat=True)
    ]
    for event in WebhookEvent.objects.filter(ordering_key__in=keys).only("pk", "data"):
        scrubbed = _scrub_values(event.data, scrub)
        if scrubbed != event.data:
            WebhookEvent.objects.filter(pk=event.pk).update(data=scrubbed)
            erased += 1
    return erased


def _scrub_values(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_values(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_values(item, scrub) for item in value]
    return value
