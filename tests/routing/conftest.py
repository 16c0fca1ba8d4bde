import pytest
from django.test import override_settings

from routing import providers
from tests.fakes.road_network import Grid, served_grid

# Near Firenze: slow local roads, a trunk road on row 5, a river between rows 15 and 16 with one
# bridge, at column 2 (the far west).
GRID = Grid()


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
