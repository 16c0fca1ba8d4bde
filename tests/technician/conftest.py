"""A technician with a phone: a job dispatched to them near Milan, a token, and a spy on the SMS queue."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fleet.models import MachineStatus
from recovery.models import Incident
from tests import factories
from tests.factories import MONZA, SITE, machine_at

API = "/api/v1/technician"


@pytest.fixture(autouse=True)
def _fresh_throttles_and_media(settings, tmp_path):
    # Throttle counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture
def t0():
    """When the breakdown was reported: two hours ago, so every step's device time is in the past."""
    return timezone.now().replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def rental(mini, milano):
    broken = machine_at(mini, milano, SITE, "PR0000100", status=MachineStatus.ON_RENT)
    customer = factories.CustomerFactory(
        company="Edilizia Rossi S.r.l.", contact_name="Giulia Rossi", mobile="+393471234567"
    )
    return factories.RentalFactory(
        customer=customer,
        machine=broken,
        branch=milano,
        site_address="Via Roma 12, Sesto San Giovanni",
        site_lat=SITE[0],
        site_lon=SITE[1],
    )


def make_technician(username: str, first_name: str, branch, skills):
    return factories.TechnicianFactory(
        user=factories.UserFactory(
            role="technician", username=username, first_name=first_name, last_name="Ferri"
        ),
        home_branch=branch,
        skills=skills,
    )


@pytest.fixture
def luca(mini, milano):
    return make_technician("luca", "Luca", milano, [mini])


@pytest.fixture
def marco(mini, milano):
    return make_technician("marco", "Marco", milano, [mini])


@pytest.fixture
def replacement(mini, monza):
    return machine_at(mini, monza, MONZA, "PR0000002")


@pytest.fixture
def job(luca, rental, replacement, dispatcher, t0) -> Incident:
    """Dispatched to Luca two minutes after the call, with the Monza machine."""
    return factories.incident_through(
        "dispatched",
        rental=rental,
        by=dispatcher,
        reported_at=t0,
        machine=replacement,
        technician=luca,
        dispatched_after=2,
    )


def phone_of(technician_or_user) -> APIClient:
    """The app on someone's phone, signed in with a token."""
    user = getattr(technician_or_user, "user", technician_or_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def lucas_phone(luca) -> APIClient:
    return phone_of(luca)


@pytest.fixture
def marcos_phone(marco) -> APIClient:
    return phone_of(marco)


@pytest.fixture
def sms(monkeypatch) -> list[tuple[int, str]]:
    """The customer messages the recovery engine queued, as (incident id, kind)."""
    queued: list[tuple[int, str]] = []

    def spy(*, incident, kind):
        queued.append((incident.pk, kind))

    monkeypatch.setattr("notifications.services.customer_message_queue", spy)
    return queued


def iso(moment) -> str:
    """A device time as the app sends it: ISO 8601 with the local UTC offset."""
    return timezone.localtime(moment).isoformat()
