from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from fleet.models import MachineStatus
from recovery import services
from recovery.models import Channel
from routing import providers
from tests import factories
from tests.fakes.road_network import Grid, served_grid

# Near Firenze: slow local roads, a trunk road on row 5, a river between rows 15 and 16 with one
# bridge, at column 2 (the far west).
GRID = Grid()
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))
SITE = GRID.point(13, 20)


@pytest.fixture
def firenze(db):
    lat, lon = GRID.point(0, 0)
    return factories.BranchFactory(name="Firenze", lat=lat, lon=lon, average_road_speed_kmh=50)


@pytest.fixture
def incident(mini, firenze, dispatcher):
    broken = factories.MachineFactory(
        fleet_number="FI0000100", category=mini, home_branch=firenze, status=MachineStatus.ON_RENT,
        lat=SITE[0], lon=SITE[1],
    )  # fmt: skip
    rental = factories.RentalFactory(machine=broken, branch=firenze, site_lat=SITE[0], site_lon=SITE[1])
    return services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Track came off", at=T0
    )


def crew(mini, branch, where, username):
    return factories.TechnicianFactory(
        user=factories.UserFactory(role="technician", username=username, first_name=username.title()),
        home_branch=branch,
        skills=[mini],
        lat=where[0],
        lon=where[1],
        position_updated_at=T0 - timedelta(minutes=5),
    )


@pytest.fixture
def dispatcher_client(dispatcher) -> Client:
    client = Client()
    client.force_login(dispatcher)
    return client


@pytest.fixture(scope="session")
def osrm_url():
    """A real osrm-routed (MLD) serving the generated grid on a loopback port, for the whole session."""
    with served_grid(GRID) as url:
        yield url


@pytest.fixture
def on_road_network(osrm_url):
    providers._breaker.cache_clear()
    with override_settings(ROUTING_PROVIDER="routing.providers.OsrmProvider", OSRM_URL=osrm_url):
        yield osrm_url
    providers._breaker.cache_clear()
