"""Schemathesis over every operation of /api/schema/, signed in as a dispatcher, a manager and a
technician: whatever a client sends, no 500, no status the schema does not list, no answer that
breaks the published schema. Seeded, so every run sends the same cases."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

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
from fleet.models import Rental
from recovery import services
from recovery.models import GoodwillCredit, GoodwillStatus, Incident, IncidentStatus
from tests import factories
from tests.factories import MONZA, SITE, machine_at

# Bounded per operation and role: ~60 operations x 3 roles run in a couple of minutes on 2 cores.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261123,
        "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

# Not negative_data_rejection: DRF coerces on purpose ("5" is 5, 0 is false) and each case's ids
# are swapped for real ones, so schemathesis would flag requests that are in fact valid.
# Negative cases are still generated and sent; they must come back as documented 4xx.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

ROLES = ["dispatcher", "manager", "technician"]


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
def token_of(request, technician, dispatcher, manager, settings) -> str:
    # Room for every generated case: throttling is tested on its own.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "10000/min", "user": "10000/min", "technician": "10000/min"},
    }
    user = {"dispatcher": dispatcher, "manager": manager, "technician": technician.user}[request.param]
    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


@pytest.fixture
def real_ids(technician, mini, milano, monza, dispatcher) -> Callable[[str], object]:
    """For each case, a real record behind the id in its path, so the requests reach the services:
    a job dispatched to the technician, a rental with no breakdown, a credit awaiting a manager.
    A record is reused while it is as the case needs it (most cases change nothing), so the
    cases go on reaching the services without paying for a new incident each time."""
    count = iter(range(1, 100_000))
    kept: dict[str, Any] = {}

    def fresh_job() -> Incident:
        n = next(count)
        broken = machine_at(mini, milano, SITE, f"PB{n:07d}", status="on_rent")
        rental = factories.RentalFactory(machine=broken, branch=milano, site_lat=SITE[0], site_lon=SITE[1])
        replacement = machine_at(mini, monza, MONZA, f"PR{n:07d}")
        return factories.incident_through(
            "dispatched", rental=rental, by=dispatcher, machine=replacement, technician=technician
        )

    def job() -> int:
        if (
            "job" not in kept
            or not Incident.objects.filter(
                pk=kept["job"].pk, status=IncidentStatus.DISPATCHED, technician=technician
            ).exists()
        ):
            kept["job"] = fresh_job()
        return kept["job"].pk

    def credit() -> int:
        if (
            "credit" not in kept
            or not GoodwillCredit.objects.filter(
                pk=kept["credit"].pk, status=GoodwillStatus.AWAITING_APPROVAL
            ).exists()
        ):
            kept["credit"] = services.goodwill_grant(
                incident=fresh_job(), amount_eur=Decimal("999999"), reason="Lost a week", by=dispatcher
            )
        return kept["credit"].pk

    def rental() -> Rental:
        if "rental" not in kept:
            machine = machine_at(mini, milano, SITE, f"PQ{next(count):07d}", status="on_rent")
            kept["rental"] = factories.RentalFactory(
                machine=machine, branch=milano, site_lat=SITE[0], site_lon=SITE[1]
            )
        return kept["rental"]

    def machine() -> int:
        if "machine" not in kept:
            kept["machine"] = machine_at(mini, monza, MONZA, f"PM{next(count):07d}")
        return kept["machine"].pk

    by_path: list[tuple[str, Callable[[], object]]] = [
        ("/api/v1/technician/jobs/", job),
        ("/api/v1/incidents/", job),
        ("/api/v1/goodwill/", credit),
        ("/api/v1/rentals/", lambda: rental().pk),
        ("/api/v1/customers/", lambda: rental().customer_id),
        ("/api/v1/machines/", machine),
        ("/api/v1/branches/", lambda: milano.pk),
        ("/api/v1/categories/", lambda: mini.code),
        ("/api/v1/technicians/", lambda: technician.pk),
    ]

    def id_for(path: str) -> object:
        return next((make() for prefix, make in by_path if path.startswith(prefix)), None)

    return id_for


def _device_times_in_the_window(value, now: str):
    """Generated date-times almost never fall in the minutes a phone may report (DeviceTimeField)
    or an ETA may be revised to, so valid ones are moved to now and the case reaches the services;
    bad times have their own tests."""
    if isinstance(value, dict):
        for field, item in value.items():
            if field in ("at", "taken_at", "eta") and isinstance(item, str) and _is_datetime(item):
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
@pytest.mark.parametrize("token_of", ROLES, indirect=True)
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.usefixtures("_keep_the_test_transaction")
def test_the_api_never_fails_and_keeps_to_its_schema(case, token_of, real_ids):
    real = real_ids(case.operation.path) if case.path_parameters else None
    if real is not None:
        for name in case.path_parameters:
            case.path_parameters[name] = real
    _device_times_in_the_window(case.body, timezone.localtime().isoformat())
    case.call_and_validate(headers={"Authorization": token_of}, checks=CHECKS)
