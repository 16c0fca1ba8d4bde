"""Notifications' subscription to recovery's incident events: each one the customer must hear of
becomes an SMS in the outbox, written in the step's own transaction."""

from typing import Any

from notifications import services
from notifications.models import MessageKind
from recovery.events import IncidentEvent
from recovery.models import Incident

# Which text each incident event puts in the customer's outbox; events not listed send nothing.
MESSAGE_FOR_EVENT: dict[IncidentEvent, str] = {
    IncidentEvent.LOGGED: MessageKind.ACKNOWLEDGEMENT,
    IncidentEvent.CONFIRMED: MessageKind.PROACTIVE,
    IncidentEvent.DISPATCHED: MessageKind.ETA,
    IncidentEvent.DELAYED: MessageKind.DELAY,
    IncidentEvent.APPROACHING: MessageKind.LAST_MILE,
    IncidentEvent.ARRIVED: MessageKind.ARRIVAL,
    IncidentEvent.RECOVERED: MessageKind.RECOVERED,
    # Only when an arrival time was texted (customer_message_queue checks).
    IncidentEvent.CANCELLED: MessageKind.CANCELLED,
}


def customer_message_on_incident_event(*, incident: Incident, event: IncidentEvent, **_: Any) -> None:

    kind = MESSAGE_FOR_EVENT.get(event)
    if kind is not None:
        services.customer_message_queue(incident=incident, kind=kind)
