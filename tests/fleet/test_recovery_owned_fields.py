"""What recovery owns is read-only in the fleet API: a machine's status, a rental's machine, SLA
and status. They change through their own operations, which refuse while a breakdown is open."""

import pytest

from fleet.models import Machine, MachineStatus, RentalStatus
from tests import factories
from tests.factories import MONZA, machine_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_id(dispatcher_api, rental):
    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "Track came off"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def reserved(dispatcher_api, incident_id, mini, monza) -> Machine:
    machine = machine_at(mini, monza, MONZA, "PR0000002")
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/reserve/", {"machine": "PR0000002"}, format="json"
    )
    assert response.status_code == 200, response.json()
    machine.refresh_from_db()
    assert machine.status == MachineStatus.RESERVED
    return machine


def test_a_reserved_machine_cannot_be_patched_available(dispatcher_api, reserved):
    response = dispatcher_api.patch(
        f"/api/v1/machines/{reserved.id}/", {"status": "available"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "status": ["Read-only here: change it with POST /api/v1/machines/{id}/status/."]
    }
    reserved.refresh_from_db()
    assert reserved.status == MachineStatus.RESERVED


def test_a_reserved_machine_cannot_be_set_available_through_its_status_either(
    dispatcher_api, reserved, incident_id
):
    response = dispatcher_api.post(
        f"/api/v1/machines/{reserved.id}/status/", {"status": "available"}, format="json"
    )

    message = f"PR0000002 is part of open incident {incident_id}; its status follows that incident's steps."
    assert response.status_code == 409
    assert response.json() == {"detail": message, "code": "open_incident", "errors": {"status": [message]}}
    reserved.refresh_from_db()
    assert reserved.status == MachineStatus.RESERVED


def test_the_broken_machine_stays_broken_while_its_incident_is_open(dispatcher_api, rental, incident_id):
    response = dispatcher_api.post(
        f"/api/v1/machines/{rental.machine_id}/status/", {"status": "in_repair"}, format="json"
    )

    assert response.status_code == 409
    assert Machine.objects.get(pk=rental.machine_id).status == MachineStatus.BROKEN


def test_a_machine_back_from_the_workshop_is_set_available(dispatcher_api, mini, milano):
    machine = machine_at(mini, milano, MONZA, "PR0000007", status=MachineStatus.IN_REPAIR)

    response = dispatcher_api.post(
        f"/api/v1/machines/{machine.id}/status/", {"status": "available"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "available"
    machine.refresh_from_db()
    assert machine.status == MachineStatus.AVAILABLE


def test_reserved_and_on_rent_come_only_from_a_reservation_and_a_rental(dispatcher_api, mini, milano):
    machine = machine_at(mini, milano, MONZA, "PR0000007")

    response = dispatcher_api.post(
        f"/api/v1/machines/{machine.id}/status/", {"status": "reserved"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


@pytest.mark.parametrize(
    "change",
    [{"machine": "spare"}, {"recovery_sla_hours": 24}, {"status": "ended"}],
)
def test_a_rental_in_an_open_incident_keeps_its_machine_sla_and_status(
    dispatcher_api, rental, incident_id, mini, milano, change
):
    spare = machine_at(mini, milano, MONZA, "PR0000008")
    change = {name: spare.id if value == "spare" else value for name, value in change.items()}

    patched = dispatcher_api.patch(f"/api/v1/rentals/{rental.id}/", change, format="json")
    through_terms = dispatcher_api.post(f"/api/v1/rentals/{rental.id}/terms/", change, format="json")

    assert patched.status_code == 400
    assert list(patched.json()["errors"]) == list(change)
    assert through_terms.status_code == 409
    assert through_terms.json()["code"] == "open_incident"
    rental.refresh_from_db()
    assert (rental.machine.fleet_number, rental.recovery_sla_hours, rental.status) == (
        "PR0000100",
        4,
        "active",
    )


def test_what_stays_writable_still_works(dispatcher_api, rental, incident_id, reserved):
    rental_response = dispatcher_api.patch(
        f"/api/v1/rentals/{rental.id}/", {"site_address": "Via Milano 3, Monza"}, format="json"
    )
    machine_response = dispatcher_api.patch(
        f"/api/v1/machines/{reserved.id}/",
        {"hour_meter": "1520.5", "serial_number": "KX019-77"},
        format="json",
    )

    assert rental_response.status_code == 200, rental_response.json()
    assert rental_response.json()["site_address"] == "Via Milano 3, Monza"
    assert machine_response.status_code == 200, machine_response.json()
    assert machine_response.json()["hour_meter"] == "1520.5"
    assert machine_response.json()["status"] == "reserved"


def test_a_put_may_send_back_the_current_status_unchanged(dispatcher_api, reserved):
    current = dispatcher_api.get(f"/api/v1/machines/{reserved.id}/").json()

    response = dispatcher_api.put(
        f"/api/v1/machines/{reserved.id}/", {**current, "make": "Kubota"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["make"] == "Kubota"


def test_without_an_open_incident_the_rental_is_exchanged_and_its_sla_changed(
    dispatcher_api, rental, mini, milano
):
    spare = machine_at(mini, milano, MONZA, "PR0000008")

    response = dispatcher_api.post(
        f"/api/v1/rentals/{rental.id}/terms/",
        {"machine": spare.id, "recovery_sla_hours": 8},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["machine"], response.json()["recovery_sla_hours"]) == (spare.id, 8)
    assert Machine.objects.get(pk=spare.id).status == MachineStatus.ON_RENT
    assert Machine.objects.get(fleet_number="PR0000100").status == MachineStatus.AVAILABLE


def test_ending_a_rental_brings_its_machine_back_to_the_yard(dispatcher_api, rental):
    response = dispatcher_api.post(f"/api/v1/rentals/{rental.id}/terms/", {"status": "ended"}, format="json")

    assert response.status_code == 200, response.json()
    rental.refresh_from_db()
    assert rental.status == RentalStatus.ENDED
    assert rental.machine.status == MachineStatus.AVAILABLE


def test_an_exchange_needs_an_available_machine(dispatcher_api, rental, mini, milano):
    busy = machine_at(mini, milano, MONZA, "PR0000009", status=MachineStatus.ON_RENT)
    factories.RentalFactory(machine=busy, branch=milano)

    response = dispatcher_api.post(f"/api/v1/rentals/{rental.id}/terms/", {"machine": busy.id}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "machine_taken"
    rental.refresh_from_db()
    assert rental.machine.fleet_number == "PR0000100"
