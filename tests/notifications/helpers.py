"""The customer the messaging tests text: an incident on her rental, built by the suite's one builder."""

from recovery.models import Incident
from tests import factories


def logged_incident(*, language: str = "it", contact_name: str = "Giulia Rossi", **customer) -> Incident:
    rental = factories.RentalFactory(
        customer=factories.CustomerFactory(language=language, contact_name=contact_name, **customer)
    )
    return factories.incident_through(rental=rental, symptom="Hydraulics dead, arm will not lift")


def dispatched_incident(**customer) -> Incident:
    return dispatch(logged_incident(**customer))


def dispatch(incident: Incident) -> Incident:
    """Send a replacement and a technician to a logged incident, as the desk would."""
    return factories.incident_through("dispatched", incident=incident)
