"""The dispatcher API refuses what it used to coerce: fractional ids, times without an offset or
nowhere near now, out-of-range filters. And it takes back what it hands out (suggestions'
`machine_id`), with the suggestion radius judged on the distance it shows."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from geopy.distance import geodesic

from fleet.models import Machine
from recovery import selectors
from recovery.models import Incident
from tests import factories
from tests.factories import MONZA, SITE, machine_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_id(dispatcher_api, rental):
    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "Track came off"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def dispatched_id(dispatcher_api, incident_id, mini, monza, technician):
    machine_at(mini, monza, MONZA, "PR0000002")
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/dispatch/", {"machine": "PR0000002"}, format="json"
    )
    assert response.status_code == 200, response.json()
    return incident_id


def test_a_fractional_rental_id_is_refused_not_truncated(dispatcher_api, rental, mini, milano):
    factories.RentalFactory(machine=machine_at(mini, milano, SITE, "PR0000101", status="on_rent"))
    fraction = rental.id + 0.9

    response = dispatcher_api.post("/api/v1/incidents/", {"rental": fraction, "symptom": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "rental": [f"Give the id as a whole number, e.g. 42 (got {fraction})."]
    }
    assert not Incident.objects.exists()


def test_a_fractional_technician_id_is_refused(dispatcher_api, incident_id, mini, monza, technician):
    machine_at(mini, monza, MONZA, "PR0000002")

    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/dispatch/",
        {"machine": "PR0000002", "technician": technician.id + 0.7},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["technician"]
    assert Incident.objects.get(pk=incident_id).technician is None


def test_a_fractional_customer_on_a_rental_is_refused(dispatcher_api, rental):
    other = factories.CustomerFactory(company="Altro S.p.A.")

    response = dispatcher_api.patch(
        f"/api/v1/rentals/{rental.id}/", {"customer": other.id + 0.5}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["customer"]
    rental.refresh_from_db()
    assert rental.customer.company == "Edilizia Rossi S.r.l."


def test_an_eta_revision_to_1900_is_refused(dispatcher_api, dispatched_id):
    response = dispatcher_api.post(
        f"/api/v1/incidents/{dispatched_id}/eta/",
        {"eta": "1900-01-01T10:00:00+01:00", "reason": "Typo"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["eta"]
    assert response.json()["detail"].startswith("eta: This time is not between ")


def test_an_eta_revision_within_the_window_is_accepted(dispatcher_api, dispatched_id):
    eta = timezone.localtime() + timedelta(hours=2)

    response = dispatcher_api.post(
        f"/api/v1/incidents/{dispatched_id}/eta/",
        {"eta": eta.isoformat(), "reason": "A4 closed"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Incident.objects.get(pk=dispatched_id).current_eta == eta


def test_a_time_without_its_offset_is_refused_by_the_dispatcher_api_too(dispatcher_api, dispatched_id):
    naive = (timezone.localtime() + timedelta(hours=2)).replace(tzinfo=None).isoformat()

    response = dispatcher_api.post(
        f"/api/v1/incidents/{dispatched_id}/eta/", {"eta": naive, "reason": "A4 closed"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "eta": ["Give the time with its UTC offset, e.g. 2026-11-23T10:15:00+01:00."]
    }


def test_a_rental_without_offsets_is_refused(dispatcher_api, rental):
    response = dispatcher_api.patch(
        f"/api/v1/rentals/{rental.id}/", {"ends_at": "2026-12-24T18:00:00"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ends_at"]


def test_a_negative_hour_meter_is_a_400_naming_the_field(dispatcher_api, mini, milano):
    machine = machine_at(mini, milano, MONZA, "PR0000007")

    response = dispatcher_api.patch(f"/api/v1/machines/{machine.id}/", {"hour_meter": "-5"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["hour_meter"]
    assert Machine.objects.get(pk=machine.id).hour_meter == 0


def test_a_zero_sla_on_a_new_rental_is_a_400_naming_the_field(dispatcher_api, rental, mini, milano):
    machine = machine_at(mini, milano, MONZA, "PR0000007")
    payload = {
        "customer": rental.customer_id,
        "machine": machine.id,
        "branch": milano.id,
        "site_address": "Via Roma 1",
        "site_lat": SITE[0],
        "site_lon": SITE[1],
        "starts_at": timezone.localtime().isoformat(),
        "recovery_sla_hours": 0,
    }

    response = dispatcher_api.post("/api/v1/rentals/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["recovery_sla_hours"]


@pytest.mark.parametrize("limit", ["0", "21", "-3", "many"])
def test_a_suggestions_limit_out_of_range_is_a_400(dispatcher_api, incident_id, limit):
    response = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/suggestions/", {"limit": limit})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["limit"]


def test_a_suggestions_limit_in_range_is_honoured(dispatcher_api, incident_id, mini, monza, milano):
    for n in range(3):
        machine_at(mini, monza, (MONZA[0] + n / 100, MONZA[1]), f"PR000002{n}")

    response = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/suggestions/", {"limit": 2})

    assert len(response.json()["suggestions"]) == 2


def test_an_open_filter_that_is_neither_true_nor_false_is_a_400(dispatcher_api, incident_id):
    response = dispatcher_api.get("/api/v1/incidents/", {"open": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["open"]


def test_open_false_lists_only_finished_incidents(dispatcher_api, incident_id):
    assert dispatcher_api.get("/api/v1/incidents/", {"open": "false"}).json()["count"] == 0
    assert dispatcher_api.get("/api/v1/incidents/", {"open": "true"}).json()["count"] == 1


def test_dispatch_takes_the_machine_id_that_suggestions_hand_out(
    dispatcher_api, incident_id, mini, monza, technician
):
    machine_at(mini, monza, MONZA, "PR0000002")
    suggested = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/suggestions/").json()["suggestions"][0]

    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/dispatch/", {"machine_id": suggested["machine_id"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["replacement_machine"]["fleet_number"] == "PR0000002"


def test_reserve_takes_the_machine_id_too_and_needs_one_or_the_other(
    dispatcher_api, incident_id, mini, monza
):
    machine = machine_at(mini, monza, MONZA, "PR0000002")

    neither = dispatcher_api.post(f"/api/v1/incidents/{incident_id}/reserve/", {}, format="json")
    both_differ = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/reserve/",
        {"machine": "PR0000002", "machine_id": machine.id + 1000},
        format="json",
    )
    by_id = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/reserve/", {"machine_id": machine.id}, format="json"
    )

    assert neither.status_code == 400
    assert list(neither.json()["errors"]) == ["machine"]
    assert both_differ.status_code == 400
    assert list(both_differ.json()["errors"]) == ["machine_id"]
    assert by_id.status_code == 200, by_id.json()
    assert by_id.json()["replacement_machine"]["fleet_number"] == "PR0000002"


def test_the_radius_is_judged_on_the_distance_shown(mini, monza, settings):
    # Due east at this latitude the sphere the index measures on is shorter than the ellipsoid,
    # so a machine 250.2 km away used to come back inside a 250 km radius.
    outside = geodesic(kilometers=250.2).destination(SITE, bearing=90)
    inside = geodesic(kilometers=249.8).destination(SITE, bearing=90.05)
    machine_at(mini, monza, (outside.latitude, outside.longitude), "PR0000250")
    machine_at(mini, monza, (inside.latitude, inside.longitude), "PR0000249")

    with override_settings(PRONTO={**settings.PRONTO, "SUGGESTION_RADIUS_KM": 250}):
        found = selectors.replacement_suggestions(category=mini, site=SITE).suggestions

    assert [(s.fleet_number, s.distance_km) for s in found] == [("PR0000249", 249.8)]


def test_a_rental_starting_in_1506_is_refused(dispatcher_api, rental):
    response = dispatcher_api.patch(
        f"/api/v1/rentals/{rental.id}/", {"starts_at": "1506-01-10T19:28:31+01:00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("starts_at: This time is not between 2000-01-01")
