"""The fleet API as a dispatcher uses it: lists, filters, and bad input answered with a 400."""

import pytest

from fleet.models import Customer, Machine
from tests import factories

pytestmark = pytest.mark.django_db


def test_machines_list_filters_by_status_and_category(dispatcher_api):
    factories.MachineFactory(fleet_number="PR0000001")
    factories.MachineFactory(fleet_number="PR0000002", status="on_rent")
    lift = factories.CategoryFactory(code="scissor-lift-8m")
    factories.MachineFactory(fleet_number="PR0000003", category=lift)

    response = dispatcher_api.get(
        "/api/v1/machines/", {"status": "available", "category": "mini-excavator-2t"}
    )

    assert response.status_code == 200
    assert [m["fleet_number"] for m in response.json()["results"]] == ["PR0000001"]
    assert response.json()["count"] == 1


def test_categories_list_their_substitutes_in_order_of_preference(dispatcher_api):
    mini = factories.CategoryFactory(code="mini-excavator-2t")
    factories.SubstituteFactory(
        category=mini, substitute=factories.CategoryFactory(code="midi-5t"), preference=2
    )
    factories.SubstituteFactory(
        category=mini, substitute=factories.CategoryFactory(code="mini-3t"), preference=1
    )

    response = dispatcher_api.get("/api/v1/categories/mini-excavator-2t/")

    assert [s["code"] for s in response.json()["substitutes"]] == ["mini-3t", "midi-5t"]


def test_customer_mobile_is_stored_in_e164(dispatcher_api):
    response = dispatcher_api.post(
        "/api/v1/customers/",
        {"company": "Scavi Bruno S.r.l.", "contact_name": "Marco Bruno", "mobile": "347 123 4567"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["mobile"] == "+393471234567"
    assert Customer.objects.get().mobile == "+393471234567"


def test_invalid_mobile_is_a_400_with_a_message(dispatcher_api):
    response = dispatcher_api.post(
        "/api/v1/customers/",
        {"company": "Scavi Bruno S.r.l.", "contact_name": "Marco Bruno", "mobile": "12345"},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "valid mobile number" in body["detail"]
    assert "mobile" in body["errors"]
    assert not Customer.objects.exists()


def test_duplicate_fleet_number_is_a_400_not_a_500(dispatcher_api):
    machine = factories.MachineFactory(fleet_number="PR0000042")
    payload = {
        "fleet_number": "PR0000042",
        "category": machine.category.code,
        "make": "Kubota",
        "model": "KX019-4",
        "home_branch": machine.home_branch.id,
    }

    response = dispatcher_api.post("/api/v1/machines/", payload, format="json")

    assert response.status_code == 400
    assert "fleet number already exists" in response.json()["detail"]
    assert Machine.objects.count() == 1


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (91, 9.1, "less than or equal to 90"),
        (45.4, -181, "greater than or equal to -180"),
        (45.4, None, "both latitude and longitude"),
    ],
)
def test_out_of_range_or_half_coordinates_are_refused(dispatcher_api, lat, lon, message):
    machine = factories.MachineFactory()

    response = dispatcher_api.patch(
        f"/api/v1/machines/{machine.id}/", {"lat": lat, "lon": lon}, format="json"
    )

    assert response.status_code == 400
    assert message in response.json()["detail"]
    machine.refresh_from_db()
    assert machine.lat == machine.home_branch.lat


def test_rental_must_end_after_it_starts(dispatcher_api):
    rental = factories.RentalFactory()

    response = dispatcher_api.patch(
        f"/api/v1/rentals/{rental.id}/", {"ends_at": "2020-01-01T00:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "ends_at: The rental must end after it starts."


def test_technicians_cannot_change_the_fleet(db):
    from tests.conftest import api_client_for

    technician = factories.TechnicianFactory()
    machine = factories.MachineFactory()

    response = api_client_for(technician.user).patch(
        f"/api/v1/machines/{machine.id}/", {"status": "retired"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only dispatchers, managers and admins may change this."


def test_the_api_requires_a_login(anonymous_api):
    response = anonymous_api.get("/api/v1/machines/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_token_authentication_works_for_scripts_and_apps(dispatcher, milano):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=dispatcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/branches/")

    assert response.status_code == 200
    assert [branch["name"] for branch in response.json()["results"]] == ["Milano"]


@pytest.mark.parametrize("resource", ["customers", "rentals", "technicians"])
def test_technicians_cannot_browse_customers_rentals_or_colleagues(resource):
    from tests.conftest import api_client_for

    technician = factories.TechnicianFactory()
    factories.RentalFactory()

    response = api_client_for(technician.user).get(f"/api/v1/{resource}/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only dispatchers, managers and admins may do this."
