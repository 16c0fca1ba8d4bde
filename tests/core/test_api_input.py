"""Malformed requests a new client sends, answered in the API's JSON error shape, never a 500 or
an HTML page: deep nesting, an oversized body, a revoked token, an address that is not there."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _nested(levels: int, leaf: object = 1) -> str:
    return "[" * levels + json.dumps(leaf) + "]" * levels


def test_a_deeply_nested_incident_is_a_400_not_a_500(dispatcher_api, rental):
    body = '{"rental": ' + _nested(500, rental.id) + ', "symptom": "x"}'

    response = dispatcher_api.post("/api/v1/incidents/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested more than 20 levels deep.", "code": "parse_error"}


def test_a_technicians_location_nested_fifty_thousand_levels_is_a_400(technician):
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=technician.user).key}")
    body = '{"pings": ' + _nested(50_000) + "}"

    response = phone.post("/api/v1/technician/location/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_nesting_a_request_really_needs_is_accepted(dispatcher_api, rental):
    response = dispatcher_api.post(
        "/api/v1/incidents/", {"rental": rental.id, "symptom": "Track came off"}, format="json"
    )

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("idempotency_key", [None, "call-1"])
def test_a_ten_megabyte_body_is_a_413_in_the_json_shape(dispatcher_api, rental, idempotency_key):
    body = json.dumps({"rental": rental.id, "symptom": "x" * 10_000_000})
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}

    response = dispatcher_api.post("/api/v1/incidents/", body, content_type="application/json", **headers)

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large.", "code": "too_large"}


def test_a_revoked_token_is_a_401_with_a_challenge(dispatcher):
    key = Token.objects.create(user=dispatcher).key
    Token.objects.filter(key=key).delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/v1/incidents/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_no_credentials_at_all_is_a_401(anonymous_api):
    response = anonymous_api.get("/api/v1/machines/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "path", ["/api/v1/incidents/abc/", "/api/v1/no-such-thing/", "/api/v1/incidents/1/abc/"]
)
def test_an_address_that_is_not_in_the_api_is_a_json_404(dispatcher_api, path):
    response = dispatcher_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Nothing here: check the address against /api/docs/.",
        "code": "not_found",
    }


def test_outside_the_api_a_404_is_still_a_page(dispatcher_api):
    response = dispatcher_api.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("parameter", ["customer", "actor"])
def test_a_fractional_id_in_a_filter_is_a_400_not_truncated(manager_api, parameter):
    response = manager_api.get("/api/v1/audit/", {parameter: "2.5"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]
