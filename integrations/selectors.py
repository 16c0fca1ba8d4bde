"""Reads of the webhook outbox: which deliveries wait, which is next in line."""

from datetime import datetime

from django.db.models import QuerySet

from integrations.models import PENDING_STATUSES, Delivery, DeliveryStatus


def delivery_waits_for_earlier(*, delivery: Delivery) -> bool:
    """True while an earlier event with the same key has not reached this endpoint yet."""
    return (
        Delivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            ordering_key=delivery.ordering_key,
            status__in=PENDING_STATUSES,
            id__lt=delivery.pk,
        )
        .exclude(ordering_key="")
        .exists()
    )


def next_in_line(*, delivery: Delivery) -> Delivery | None:
    """The earliest pending delivery after `delivery` with the same endpoint and key."""
    return (
        Delivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            ordering_key=delivery.ordering_key,
            status__in=PENDING_STATUSES,
            id__gt=delivery.pk,
        )
        .order_by("id")
        .first()
    )


def heads_of_lines() -> list[Delivery]:
    """The first pending delivery of each (endpoint, key) line: only these may go now.

    Pending rows are few (delivered ones leave the partial index), so grouping here stays cheap and
    works on SQLite (`make run`) as well as PostgreSQL."""
    heads: dict[tuple[int, str], Delivery] = {}
    pending = Delivery.objects.filter(status__in=PENDING_STATUSES).order_by(
        "endpoint_id", "ordering_key", "id"
    )
    for delivery in pending:
        key = (delivery.endpoint_id, delivery.ordering_key or f"#{delivery.pk}")
        heads.setdefault(key, delivery)
    return list(heads.values())


def deliveries_for_event(*, event_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(event_id=event_id).select_related("endpoint")


def deliveries_due(*, now: datetime) -> list[Delivery]:
    return [d for d in heads_of_lines() if d.status == DeliveryStatus.QUEUED and d.next_attempt_at <= now]
