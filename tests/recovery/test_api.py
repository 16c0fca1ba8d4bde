"""The dispatcher's recovery API: what a client sees, including every refusal."""

import pytest

from recovery.models import Incident
from tests import factories
from tests.conftest import api_client_for
from tests.factories import MONZA, machine_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_id(dispatcher_api, rental):
    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "Track came off"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_logging_a_breakdown_answers_the_incident_with_next_steps(incident_id, dispatcher_api):
    body = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/").json()

    assert body["status"] == "reported"
    assert body["customer"]["company"] == "Edilizia Rossi S.r.l."
    assert body["broken_machine"]["fleet_number"] == "PR0000100"
    assert body["allowed_actions"] == ["reserve", "dispatch", "cancel"]


def test_a_retried_log_with_the_same_idempotency_key_returns_the_first_incident(dispatcher_api, rental):
    payload = {"rental": rental.id, "symptom": "Engine overheats"}

    first = dispatcher_api.post(
        "/api/v1/incidents/", payload, format="json", HTTP_IDEMPOTENCY_KEY="call-0915"
    )
    retry = dispatcher_api.post(
        "/api/v1/incidents/", payload, format="json", HTTP_IDEMPOTENCY_KEY="call-0915"
    )

    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1


def test_the_same_idempotency_key_for_another_request_is_refused(dispatcher_api, rental):
    dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"symptom": "x"}, "rental: This field is required."),
        ({"rental": 999999, "symptom": "x"}, 'rental: Invalid pk "999999" - object does not exist.'),
        ({"rental": "abc", "symptom": "x"}, "rental: Give the id as a whole number, e.g. 42 (got 'abc')."),
        ({"symptom": "   "}, "rental: This field is required."),
    ],
)
def test_bad_input_is_a_400_with_a_message(dispatcher_api, payload, detail):
    response = dispatcher_api.post("/api/v1/incidents/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_a_blank_symptom_is_refused(dispatcher_api, rental):
    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "symptom: This field may not be blank."


def test_suggestions_come_with_distance_eta_why_and_a_technician(
    dispatcher_api, incident_id, mini, monza, technician
):
    machine_at(mini, monza, MONZA, "PR0000002")

    body = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/suggestions/").json()

    first = body["suggestions"][0]
    assert first["fleet_number"] == "PR0000002"
    assert first["match"] == "exact"
    assert first["distance_km"] == pytest.approx(6.8, abs=0.3)
    assert first["eta_minutes"] > 20
    assert body["technicians"][0]["name"] == "Luca Ferri"


def test_dispatch_in_one_call_and_a_second_dispatcher_gets_a_409(
    dispatcher_api, incident_id, mini, monza, milano, technician, dispatcher
):
    machine_at(mini, monza, MONZA, "PR0000002")
    other_rental = factories.RentalFactory(
        machine=machine_at(mini, milano, (45.5, 9.2), "PR0000300", status="on_rent"), branch=milano
    )
    other = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": other_rental.id, "symptom": "Smoke"}, format="json"
    ).json()["id"]

    first = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/dispatch/", {"machine": "PR0000002"}, format="json"
    )
    second = api_client_for(factories.UserFactory(role="dispatcher", username="marco")).post(
        f"/api/v1/incidents/{other}/dispatch/", {"machine": "PR0000002"}, format="json"
    )

    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "dispatched"
    assert first.json()["technician"]["name"] == "Luca Ferri"
    assert first.json()["first_promised_eta"] is not None
    assert second.status_code == 409
    assert second.json() == {
        "detail": "PR0000002 was just reserved by another dispatcher or is no longer available.",
        "code": "machine_taken",
    }


def test_an_illegal_transition_is_a_409_naming_what_is_allowed(dispatcher_api, incident_id):
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/recover/", {"outcome": "swapped"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "allowed now: reserve, dispatch, cancel" in response.json()["detail"]


def test_unknown_outcome_is_a_400(dispatcher_api, incident_id):
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/recover/", {"outcome": "magic"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == 'outcome: "magic" is not a valid choice.'


def test_unknown_incident_is_a_404(dispatcher_api):
    response = dispatcher_api.post("/api/v1/incidents/424242/cancel/", {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_technicians_and_strangers_cannot_use_the_dispatch_desk(incident_id, technician, anonymous_api):
    assert api_client_for(technician.user).get(f"/api/v1/incidents/{incident_id}/").status_code == 403
    stranger = anonymous_api.get("/api/v1/incidents/")
    assert (stranger.status_code, stranger["WWW-Authenticate"]) == (401, "Token")


def test_goodwill_above_the_limit_waits_for_a_manager(dispatcher_api, manager_api, incident_id):
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident_id}/goodwill/",
        {"amount_eur": "2500.00", "reason": "Two days lost"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "awaiting_approval"
    credit = response.json()["id"]

    assert (
        dispatcher_api.post(
            f"/api/v1/goodwill/{credit}/decision/", {"approve": True}, format="json"
        ).status_code
        == 403
    )
    decided = manager_api.post(f"/api/v1/goodwill/{credit}/decision/", {"approve": True}, format="json")
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == "paola"


def test_timeline_lists_every_step_with_who_and_how(dispatcher_api, incident_id):
    dispatcher_api.post(f"/api/v1/incidents/{incident_id}/cancel/", {"reason": "False alarm"}, format="json")

    events = dispatcher_api.get(f"/api/v1/incidents/{incident_id}/timeline/").json()

    assert [(e["kind"], e["actor"], e["channel"]) for e in events] == [
        ("logged", "Chiara Verdi", "phone"),
        ("cancelled", "Chiara Verdi", "api"),
    ]
    assert events[1]["detail"] == "False alarm"


def test_open_filter_lists_only_open_incidents(dispatcher_api, incident_id):
    assert dispatcher_api.get("/api/v1/incidents/", {"open": "true"}).json()["count"] == 1
    dispatcher_api.post(f"/api/v1/incidents/{incident_id}/cancel/", {"reason": "False alarm"}, format="json")
    assert dispatcher_api.get("/api/v1/incidents/", {"open": "true"}).json()["count"] == 0
