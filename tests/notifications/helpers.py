"""Incidents at each step, built through the recovery services as the desk would."""

from recovery import services as recovery
from recovery.models import Incident
from tests import factories


def logged_incident(*, language: str = "it", contact_name: str = "Giulia Rossi", **customer) -> Incident:
    dispatcher = factories.UserFactory(role="dispatcher", username="desk", first_name="Chiara")
    rental = factories.RentalFactory(
        customer=factories.CustomerFactory(language=language, contact_name=contact_name, **customer)
    )
    return recovery.incident_log(
        rental=rental, reported_by=dispatcher, channel="phone", symptom="Hydraulics dead, arm will not lift"
    )


def dispatched_incident(**customer) -> Incident:
    return dispatch(logged_incident(**customer))


def dispatch(incident: Incident) -> Incident:
    """Send a replacement and a technician to a logged incident, as the desk would."""
    replacement = factories.MachineFactory(category=incident.broken_machine.category)
    technician = factories.TechnicianFactory(user=factories.UserFactory(username="luca", first_name="Luca"))
    technician.skills.add(incident.broken_machine.category)
    return recovery.dispatch_start(
        incident=incident, by=incident.reported_by, machine=replacement, technician=technician
    )
