"""Integrations' subscriptions to recovery's incident events and the workshop's work-order events:
each one the rental system follows becomes a webhook event in the outbox, in the step's transaction."""

from typing import Any

from contracts.models import RentalLine
from integrations import payloads
from integrations.models import EventType
from integrations.webhooks import event_publish
from recovery.events import IncidentEvent
from recovery.models import DowntimeCredit, DowntimeCreditStatus, Incident
from workshop.events import WorkOrderEvent
from workshop.models import WorkOrder


def rental_key(rental_id: int) -> str:
    # One line per contract: the rental system applies a contract's events in order.
    return f"rental:{rental_id}"


def webhook_on_incident_event(*, incident: Incident, event: IncidentEvent, **_: Any) -> None:
    key = rental_key(incident.rental_id)
    if event == IncidentEvent.LOGGED:
        event_publish(
            type=EventType.INCIDENT_OPENED,
            ordering_key=key,
            data=payloads.incident_opened(incident),
            at=incident.reported_at,
        )
    elif event == IncidentEvent.DISPATCHED and incident.replacement_machine_id is not None:
        event_publish(
            type=EventType.REPLACEMENT_DISPATCHED,
            ordering_key=key,
            data=payloads.replacement_dispatched(incident),
            at=incident.dispatched_at,
        )
    elif event == IncidentEvent.EXCHANGED:
        opened = (
            RentalLine.objects.select_related("replaces", "machine")
            .filter(rental_id=incident.rental_id, off_hire_at__isnull=True)
            .first()
        )
        if opened is not None and opened.replaces is not None:
            event_publish(
                type=EventType.RENTAL_EXCHANGED,
                ordering_key=key,
                data=payloads.rental_exchanged(incident, closed=opened.replaces, opened=opened),
                at=opened.on_hire_at,
            )
    elif event in (IncidentEvent.RECOVERED, IncidentEvent.CREDIT_REMOVED):
        credit = DowntimeCredit.objects.filter(incident=incident).first()
        # Only what changes the invoice: a credit granted, or one taken back.
        if credit is not None and credit.status != DowntimeCreditStatus.NOT_ELIGIBLE:
            event_publish(
                type=EventType.RENTAL_DOWNTIME_CREDITED,
                ordering_key=key,
                data=payloads.downtime_credit(incident, credit),
                at=credit.removed_at or credit.computed_at,
            )
    elif event == IncidentEvent.DETRACTOR:
        event_publish(
            type=EventType.SURVEY_DETRACTOR, ordering_key=key, data=payloads.survey_detractor(incident)
        )


def webhook_on_work_order_event(*, work_order: WorkOrder, event: WorkOrderEvent, **_: Any) -> None:
    key = rental_key(work_order.rental_id) if work_order.rental_id else f"machine:{work_order.machine_id}"
    kind = EventType.WORKORDER_OPENED if event == WorkOrderEvent.OPENED else EventType.WORKORDER_CLOSED
    at = work_order.opened_at if event == WorkOrderEvent.OPENED else work_order.closed_at
    event_publish(type=kind, ordering_key=key, data=payloads.work_order(work_order), at=at)
