"""Schemathesis over the technicians' API, signed in as a technician: whatever the phone sends,
no 500 and no answer that breaks the published schema. Seeded, so every run sends the same cases."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests import factories
from tests.factories import MONZA, SITE, machine_at

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261123,
        "generation": {"max-examples": 30, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG).include(
    path_regex=r"^/api/v1/(technician|auth)/"
)

# Not negative_data_rejection: DRF coerces on purpose ("5" is 5, 0 is false) and each case's job id
# is swapped for a real one, so schemathesis would flag requests that are in fact valid.
# Negative cases are still generated and sent; they must come back as documented 4xx.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _keep_the_test_transaction():
    # Schemathesis calls the WSGI app directly; Django would close the connection after each
    # request and lose the test's transaction (its own test client unhooks this the same way).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(luca, settings) -> str:
    # Room for every generated case: throttling is tested on its own.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "10000/min", "user": "10000/min", "technician": "10000/min"},
    }
    return f"Token {Token.objects.get_or_create(user=luca.user)[0].key}"


@pytest.fixture
def new_job(luca, mini, milano, monza, dispatcher):
    """Each case gets a job of Luca's to act on, so the generated requests reach the services."""
    count = iter(range(1, 10_000))

    def make():
        n = next(count)
        broken = machine_at(mini, milano, SITE, f"PB{n:07d}", status="on_rent")
        rental = factories.RentalFactory(machine=broken, branch=milano, site_lat=SITE[0], site_lon=SITE[1])
        replacement = machine_at(mini, monza, MONZA, f"PR{n:07d}")
        return factories.incident_through(
            "dispatched", rental=rental, by=dispatcher, machine=replacement, technician=luca
        )

    return make


def _device_times_in_the_window(value, now: str):
    """Generated date-times almost never fall in the minutes a phone may report (DeviceTimeField),
    so valid ones are moved to now and the case reaches the services; bad times have their own tests."""
    if isinstance(value, dict):
        for field, item in value.items():
            if field in ("at", "taken_at") and isinstance(item, str) and _is_datetime(item):
                value[field] = now
            else:
                _device_times_in_the_window(item, now)
    elif isinstance(value, list):
        for item in value:
            _device_times_in_the_window(item, now)


def _is_datetime(text: str) -> bool:
    try:
        return parse_datetime(text) is not None
    except ValueError:
        return False


@pytest.mark.django_db
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.usefixtures("_keep_the_test_transaction")
def test_the_technician_api_never_fails_and_keeps_to_its_schema(case, token, new_job):
    if "id" in case.path_parameters:
        case.path_parameters["id"] = new_job().pk
    _device_times_in_the_window(case.body, timezone.localtime().isoformat())
    case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)
