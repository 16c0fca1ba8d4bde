"""POST /api/v1/telematics/events/: a provider's token and the body's signature, both required;
batches validated with a clear 400; unknown machines counted, never a 500."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fleet.models import MachineStatus
from telematics.models import MachineEvent, MachineState, Provider
from telematics.signatures import body_signature
from tests import factories
from tests.telematics.helpers import drain

pytestmark = pytest.mark.django_db
URL = "/api/v1/telematics/events/"


def push(provider: Provider, payload, *, secret: str | None = None, token: str | None = None):
    body = json.dumps(payload, default=str).encode()
    return APIClient().post(
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token or provider.token}",
        HTTP_X_PRONTO_SIGNATURE=body_signature(secret=secret or provider.signing_secret, body=body),
    )


@pytest.fixture
def excavator(mini, milano):
    return factories.MachineFactory(
        fleet_number="PR0000300",
        pin="KUB0KX019A0012345",
        category=mini,
        home_branch=milano,
        status=MachineStatus.ON_RENT,
    )


def test_a_signed_batch_is_accepted_and_loaded(push_provider, excavator):
    at = (timezone.now() - timedelta(minutes=3)).isoformat()
    payload = {
        "events": [
            {
                "pin": excavator.pin,
                "occurred_at": at,
                "lat": 45.55,
                "lon": 9.2,
                "hour_meter": "1520.4",
                "engine_running": True,
            },
            {
                "fleet_number": excavator.fleet_number,
                "occurred_at": at,
                "fault": {
                    "spn": 110,
                    "fmi": 0,
                    "severity": "red",
                    "description": "Engine coolant temperature high",
                },
            },
        ]
    }

    response = push(push_provider, payload)

    assert response.status_code == 202, response.json()
    assert response.json() == {"accepted": 2, "unknown_machines": []}
    assert drain() == 2
    kinds = set(MachineEvent.objects.filter(machine=excavator).values_list("kind", flat=True))
    assert kinds == {"state", "fault:110:0"}
    state = MachineState.objects.get(machine=excavator)
    assert (state.lat, state.engine_running, state.provider) == (45.55, True, "trackunit")


def test_a_wrong_signature_is_403_with_the_error_shape(push_provider, excavator):
    payload = {"events": [{"pin": excavator.pin, "occurred_at": timezone.now().isoformat()}]}

    response = push(push_provider, payload, secret="not-the-secret")

    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    assert "signature" in response.json()["detail"]
    assert drain() == 0


def test_an_unknown_or_missing_token_is_403(push_provider):
    payload = {"events": []}
    assert push(push_provider, payload, token="stolen").json()["code"] == "bad_token"
    unsigned = APIClient().post(URL, payload, format="json")
    assert unsigned.status_code == 403
    assert unsigned.json()["code"] == "bad_token"


def test_a_disabled_provider_is_refused(push_provider):
    Provider.objects.filter(pk=push_provider.pk).update(enabled=False)
    assert push(push_provider, {"events": []}).status_code == 403


def test_events_for_machines_we_do_not_have_are_counted_not_an_error(push_provider, excavator):
    at = timezone.now().isoformat()
    payload = {
        "events": [
            {"pin": "ZZZ9999999999999", "occurred_at": at, "lat": 45.0, "lon": 9.0},
            {"pin": "ZZZ9999999999999", "occurred_at": at, "engine_running": False},
            {"pin": excavator.pin, "occurred_at": at, "lat": 45.55, "lon": 9.2},
        ]
    }

    response = push(push_provider, payload)

    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "unknown_machines": ["ZZZ9999999999999"]}
    push_provider.refresh_from_db()
    assert (push_provider.unknown_reports, push_provider.last_unknown_machine) == (2, "ZZZ9999999999999")


@pytest.mark.parametrize(
    ("event", "field_hint"),
    [
        ({"occurred_at": "2026-11-25T09:00:00+01:00"}, "pin or fleet_number"),
        ({"pin": "X", "occurred_at": "yesterday"}, "occurred_at"),
        ({"pin": "X", "occurred_at": "2026-11-25T09:00:00+01:00", "lat": 95, "lon": 9}, "lat"),
        ({"pin": "X", "occurred_at": "2026-11-25T09:00:00+01:00", "lat": 45}, "lat and lon"),
        (
            {
                "pin": "X",
                "occurred_at": "2026-11-25T09:00:00+01:00",
                "fault": {"spn": 110, "fmi": 0, "severity": "purple"},
            },
            "severity",
        ),
    ],
)
def test_bad_events_are_a_400_naming_the_problem(push_provider, event, field_hint):
    response = push(push_provider, {"events": [event]})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field_hint in json.dumps(body)


def test_a_clock_far_in_the_future_is_refused(push_provider, excavator):
    ahead = (timezone.now() + timedelta(hours=2)).isoformat()
    response = push(push_provider, {"events": [{"pin": excavator.pin, "occurred_at": ahead}]})
    assert response.status_code == 400
    assert "future" in response.json()["detail"]


def test_a_batch_over_the_limit_is_refused(push_provider, excavator, settings):
    settings.TELEMATICS = {**settings.TELEMATICS, "PUSH_BATCH_MAX": 2}
    at = timezone.now().isoformat()
    response = push(push_provider, {"events": [{"pin": excavator.pin, "occurred_at": at}] * 3})
    assert response.status_code == 400
    assert "At most 2" in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_4xx(push_provider):
    body = b"not json"
    response = APIClient().post(
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {push_provider.token}",
        HTTP_X_PRONTO_SIGNATURE=body_signature(secret=push_provider.signing_secret, body=body),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
