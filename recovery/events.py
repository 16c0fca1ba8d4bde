"""The one hook through which recovery announces what happened to an incident.

Recovery never imports the apps above it (notifications, integrations, the console): it sends
`incident_event` and they subscribe in their AppConfig.ready(). The signal is sent inside the step's
transaction, so a receiver that writes a row (an SMS in the outbox, a webhook delivery) commits or
rolls back with the step itself; receivers must leave anything outside the database to after commit."""

from enum import StrEnum

from django.dispatch import Signal

from recovery.models import Incident


class IncidentEvent(StrEnum):
    """What the customer (and the systems that follow incidents) may need to hear about."""

    LOGGED = "logged"  # the breakdown is on record
    # The machine reported the fault and we confirmed it: tell the customer before they call.
    CONFIRMED = "confirmed"
    DISPATCHED = "dispatched"  # a crew is on its way with a promised arrival
    DELAYED = "delayed"  # the arrival moved past the margin from what the customer was told
    APPROACHING = "approaching"  # the crew's pings put them a few minutes from the site
    ARRIVED = "arrived"  # the crew is on site
    EXCHANGED = "exchanged"  # the replacement took the broken unit's place on the contract
    RECOVERED = "recovered"  # the customer is running again
    CANCELLED = "cancelled"  # the incident was cancelled
    DETRACTOR = "detractor"  # the customer answered the survey 0-6
    CREDIT_REMOVED = "credit_removed"  # customer damage removed the downtime credit after recovery


# Receivers get `incident` (the Incident, as saved by the step) and `event` (an IncidentEvent).
incident_event = Signal()


def incident_event_announce(*, incident: Incident, event: IncidentEvent) -> None:
    # send(), not send_robust(): a receiver that fails must roll the step back with it, or the
    # customer would never hear of a step that did happen.
    incident_event.send(sender=Incident, incident=incident, event=event)
