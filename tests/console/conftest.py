"""The console's fixtures: the Lombardy job site of the recovery tests, and a logged-in browser per role."""

import pytest
from django.test import Client

from tests import factories
from tests.recovery.conftest import (  # noqa: F401 - fixtures shared with the recovery tests
    MONZA,
    SITE,
    machine_at,
    midi,
    milano,
    mini,
    mini_accepts_midi,
    monza,
    rental,
    technician,
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dispatcher_client(dispatcher) -> Client:
    return client_for(dispatcher)


@pytest.fixture
def manager_client(manager) -> Client:
    return client_for(manager)


@pytest.fixture
def replacements(mini, midi, monza, milano, mini_accepts_midi):  # noqa: F811 - fixtures by name
    """Two exact machines (Monza is nearer than Milano) and a substitute midi in Monza."""
    return {
        "monza": machine_at(mini, monza, MONZA, "PR0000002"),
        "milano": machine_at(mini, milano, (45.4773, 9.1025), "PR0000003"),
        "midi": machine_at(midi, monza, MONZA, "PR0000004"),
    }


@pytest.fixture
def second_rental(mini, milano):  # noqa: F811 - fixtures by name
    """Another customer's mini excavator on a site next door: a second incident competes for machines."""
    machine = factories.MachineFactory(
        fleet_number="PR0000200",
        category=mini,
        home_branch=milano,
        status="on_rent",
        lat=SITE[0],
        lon=SITE[1],
    )
    customer = factories.CustomerFactory(company="Scavi Bianchi S.n.c.", contact_name="Marco Bianchi")
    return factories.RentalFactory(
        customer=customer, machine=machine, branch=milano, site_lat=SITE[0], site_lon=SITE[1]
    )


@pytest.fixture(scope="session", autouse=True)
def _italian_compiled():
    """`make test` compiles the translations; this covers a bare `pytest` run on a fresh checkout."""
    from pathlib import Path

    from django.core.management import call_command

    po = Path(__file__).resolve().parents[2] / "locale" / "it" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["it"], ignore_patterns=[".venv", "node_modules"], verbosity=0)
