"""Fault rules: a red fault on a rented machine opens a suspected incident for the desk; repeats
and flaps inside the debounce window act once; a yard machine's fault is a workshop note; the
dispatcher confirms (the customer is texted first) or dismisses with a reason."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fleet.models import MachineStatus
from notifications.models import Message
from recovery.models import Channel, EventKind, Incident, IncidentStatus
from telematics import faults, services
from telematics.models import FaultAction, FaultRule, MachineFault, MachineState, WorkshopNote
from tests import factories
from tests.telematics.helpers import event

pytestmark = pytest.mark.django_db

COOLANT = {"spn": 110, "fmi": 0, "severity": "red", "description": "Engine coolant temperature high"}
OIL_STOP = {"spn": 100, "fmi": 1, "severity": "stop", "description": "Engine oil pressure low"}
ROME = ZoneInfo("Europe/Rome")


def fault(machine, at, active=True, **reading):
    return event(machine, at, fault={**reading, "active": active})


def working_time() -> datetime:
    """A recent Tuesday, 09:12 in Rome: within working hours whatever day the suite runs."""
    today = timezone.localtime(timezone.now(), ROME)
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 + 7)
    return tuesday.replace(hour=9, minute=12, second=0, microsecond=0)


@pytest.fixture
def replacement(mini, milano):
    return factories.machine_at(mini, milano, factories.MONZA, "PR0000900")


def test_a_red_fault_on_a_rented_machine_opens_a_suspected_incident_and_texts_nobody(rental):
    at = timezone.now() - timedelta(minutes=4)

    services.events_ingest(events=[fault(rental.machine, at, **COOLANT)])

    incident = Incident.objects.get(broken_machine=rental.machine)
    assert (incident.status, incident.reported_via) == (IncidentStatus.SUSPECTED, Channel.TELEMATICS)
    assert incident.fault_at == at
    assert incident.fault_text == "Engine coolant temperature high (SPN 110 FMI 0)"
    assert incident.timeline.get().kind == EventKind.SUSPECTED
    rental.machine.refresh_from_db()
    assert rental.machine.status == MachineStatus.ON_RENT
    assert not Message.objects.filter(incident=incident).exists()
    assert MachineState.objects.get(machine=rental.machine).active_faults == ["SPN 110 FMI 0"]


def test_the_board_shows_the_suspicion_with_its_fault(rental, dispatcher_api):
    services.events_ingest(events=[fault(rental.machine, timezone.now(), **COOLANT)])

    board = dispatcher_api.get("/api/v1/incidents/?open=true").json()["results"]

    assert [(i["status"], i["fault_text"]) for i in board] == [
        ("suspected", "Engine coolant temperature high (SPN 110 FMI 0)")
    ]


def test_repeats_and_flaps_within_the_debounce_window_are_one_fault(rental):
    t0 = timezone.now() - timedelta(minutes=20)
    services.events_ingest(
        events=[
            fault(rental.machine, t0, **COOLANT),
            fault(rental.machine, t0 + timedelta(minutes=1), **COOLANT),
            fault(rental.machine, t0 + timedelta(minutes=2), active=False, **COOLANT),
            fault(rental.machine, t0 + timedelta(minutes=5), **COOLANT),  # a loose sensor
        ]
    )
    # The same batch again, as a consumer killed before acknowledging it would leave it.
    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(minutes=1), **COOLANT)])

    only = MachineFault.objects.get(machine=rental.machine)
    assert (only.flaps, only.cleared_at, only.last_seen_at) == (1, None, t0 + timedelta(minutes=5))
    assert Incident.objects.filter(broken_machine=rental.machine).count() == 1


def test_a_cleared_fault_leaves_the_active_list_and_a_late_off_does_not_clear_a_newer_on(rental):
    t0 = timezone.now() - timedelta(minutes=20)
    services.events_ingest(events=[fault(rental.machine, t0, **COOLANT)])
    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(minutes=3), **COOLANT)])
    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(minutes=2), active=False, **COOLANT)])
    assert MachineFault.objects.get().is_active

    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(minutes=4), active=False, **COOLANT)])

    assert not MachineFault.objects.get().is_active
    assert MachineState.objects.get(machine=rental.machine).active_faults == []


def test_the_same_fault_after_the_window_is_a_new_fault(rental):
    t0 = timezone.now() - timedelta(hours=3)
    services.events_ingest(events=[fault(rental.machine, t0, **COOLANT)])
    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(minutes=1), active=False, **COOLANT)])
    Incident.objects.update(status=IncidentStatus.DISMISSED)

    services.events_ingest(events=[fault(rental.machine, t0 + timedelta(hours=2), **COOLANT)])

    assert MachineFault.objects.filter(machine=rental.machine).count() == 2
    assert (
        Incident.objects.filter(broken_machine=rental.machine, status=IncidentStatus.SUSPECTED).count() == 1
    )


def test_a_fault_in_the_yard_is_a_workshop_note_not_an_incident(mini, milano):
    machine = factories.MachineFactory(fleet_number="PR0000500", category=mini, home_branch=milano)

    services.events_ingest(events=[fault(machine, timezone.now(), **COOLANT)])

    note = WorkshopNote.objects.get(machine=machine)
    assert note.branch == milano
    assert note.text == "PR0000500 in the yard: Engine coolant temperature high (SPN 110 FMI 0)"
    assert not Incident.objects.exists()


def test_an_amber_fault_on_rent_notifies_the_branch_and_an_info_one_does_nothing(rental):
    services.events_ingest(
        events=[
            fault(
                rental.machine, timezone.now(), spn=3216, fmi=2, severity="amber", description="NOx sensor"
            ),
            fault(
                rental.machine, timezone.now(), spn=9000, fmi=7, severity="info", description="Service due"
            ),
        ]
    )

    assert [n.text for n in WorkshopNote.objects.all()] == [
        "PR0000100 on rent (Edilizia Rossi S.r.l., Via Roma 12, Sesto San Giovanni): "
        "NOx sensor (SPN 3216 FMI 2)"
    ]
    assert not Incident.objects.exists()
    assert MachineFault.objects.get(spn=9000).action == FaultAction.NOTHING


def test_an_admin_rule_for_a_code_wins_over_the_severity(rental):
    FaultRule.objects.create(spn=110, fmi=0, action=FaultAction.NOTHING)

    services.events_ingest(events=[fault(rental.machine, timezone.now(), **COOLANT)])

    assert not Incident.objects.exists()


def test_confirming_texts_the_customer_first_by_name_in_their_language(rental, replacement, dispatcher_api):
    at = working_time()
    services.events_ingest(events=[fault(rental.machine, at, **COOLANT)])
    incident = Incident.objects.get()

    response = dispatcher_api.post(f"/api/v1/incidents/{incident.pk}/confirm/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "reported"
    incident.refresh_from_db()
    rental.machine.refresh_from_db()
    assert rental.machine.status == MachineStatus.BROKEN
    assert incident.customer_told_eta is not None
    message = Message.objects.get(incident=incident)
    eta = timezone.localtime(incident.customer_told_eta).strftime("%H:%M")
    assert message.kind == "proactive"
    assert message.body.startswith(
        "Giulia, la sua macchina (Mini excavator 1.5-2 t) in Via Roma 12 ha segnalato un guasto alle 09:12 "
        "(Engine coolant temperature high (SPN 110 FMI 0)): stiamo già preparando la sostituta, "
        f"arrivo previsto verso le {eta}."
    )
    assert [
        r["fleet_number"]
        for r in dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/suggestions/").json()["suggestions"]
    ][:1] == ["PR0000900"]


def test_dismissing_needs_a_reason_and_texts_nobody(rental, dispatcher_api):
    services.events_ingest(events=[fault(rental.machine, timezone.now(), **COOLANT)])
    incident = Incident.objects.get()

    without = dispatcher_api.post(f"/api/v1/incidents/{incident.pk}/dismiss/", {"reason": " "}, format="json")
    assert without.status_code == 400

    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/dismiss/",
        {"reason": "Sensor cable chafed, machine works"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert incident.timeline.last().detail == "Sensor cable chafed, machine works"
    assert not Message.objects.filter(incident=incident).exists()
    again = dispatcher_api.post(f"/api/v1/incidents/{incident.pk}/confirm/")
    assert again.status_code == 409


def test_a_suspected_incident_cannot_be_dispatched_before_it_is_confirmed(
    rental, replacement, technician, dispatcher_api
):
    services.events_ingest(events=[fault(rental.machine, timezone.now(), **COOLANT)])
    incident = Incident.objects.get()

    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/dispatch/",
        {"machine": replacement.fleet_number, "technician": technician.pk},
        format="json",
    )

    assert response.status_code == 409
    assert "confirm" in response.json()["detail"]


def test_a_stop_fault_confirms_itself_for_a_customer_who_asked(rental, replacement):
    rental.customer.telematics_auto_confirm = True
    rental.customer.save()

    services.events_ingest(events=[fault(rental.machine, timezone.now(), **OIL_STOP)])

    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.REPORTED
    assert incident.timeline.last().channel == Channel.TELEMATICS
    assert Message.objects.get(incident=incident).kind == "proactive"


def test_a_stop_fault_on_a_stopped_machine_in_working_hours_confirms_itself(rental, replacement):
    at = working_time()
    services.events_ingest(events=[event(rental.machine, at - timedelta(minutes=1), engine_running=False)])

    services.events_ingest(events=[fault(rental.machine, at, **OIL_STOP)])

    assert Incident.objects.get().status == IncidentStatus.REPORTED


def test_a_stop_fault_at_night_waits_for_the_desk_and_a_red_one_always_does(rental, replacement):
    night = working_time().replace(hour=2)
    services.events_ingest(events=[event(rental.machine, night - timedelta(minutes=1), engine_running=False)])

    services.events_ingest(events=[fault(rental.machine, night, **OIL_STOP)])

    assert Incident.objects.get().status == IncidentStatus.SUSPECTED


def test_a_machine_silent_after_a_stop_fault_in_working_hours_is_confirmed(rental, replacement):
    at = working_time()
    services.events_ingest(events=[event(rental.machine, at - timedelta(minutes=1), engine_running=True)])
    services.events_ingest(events=[fault(rental.machine, at, **OIL_STOP)])
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.SUSPECTED  # the engine was still running

    assert faults.suspected_incidents_escalate(now=at + timedelta(minutes=5)) == 0
    assert faults.suspected_incidents_escalate(now=at + timedelta(minutes=30)) == 1

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED
    assert Message.objects.get(incident=incident).kind == "proactive"
