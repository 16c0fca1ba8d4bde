"""A small piece of Lombardy: a Milan depot, a job site in Sesto San Giovanni, a few machines."""

import pytest

from fleet.models import MachineStatus
from tests import factories

SITE = (45.5500, 9.2000)  # Sesto San Giovanni
MILANO = (45.4773, 9.1025)  # the depot, ~11 km away
MONZA = (45.5845, 9.2744)  # ~7 km away
BERGAMO = (45.6850, 9.6480)  # ~38 km away


@pytest.fixture
def mini(db):
    return factories.CategoryFactory(code="mini-excavator-2t", name="Mini excavator 1.5–2 t")


@pytest.fixture
def midi(db):
    return factories.CategoryFactory(code="midi-excavator-5t", name="Midi excavator 5–6 t")


@pytest.fixture
def mini_accepts_midi(mini, midi):
    return factories.SubstituteFactory(category=mini, substitute=midi, preference=1)


@pytest.fixture
def milano(db):
    return factories.BranchFactory(name="Milano", lat=MILANO[0], lon=MILANO[1], average_road_speed_kmh=60)


@pytest.fixture
def monza(db):
    return factories.BranchFactory(
        name="Monza",
        address="Viale Lombardia 1, Monza",
        lat=MONZA[0],
        lon=MONZA[1],
        average_road_speed_kmh=60,
    )


@pytest.fixture
def rental(mini, milano):
    broken = factories.MachineFactory(
        fleet_number="PR0000100",
        category=mini,
        home_branch=milano,
        status=MachineStatus.ON_RENT,
        lat=SITE[0],
        lon=SITE[1],
    )
    customer = factories.CustomerFactory(company="Edilizia Rossi S.r.l.", contact_name="Giulia Rossi")
    return factories.RentalFactory(
        customer=customer,
        machine=broken,
        branch=milano,
        site_lat=SITE[0],
        site_lon=SITE[1],
        recovery_sla_hours=4,
    )


@pytest.fixture
def technician(mini, midi, milano):
    return factories.TechnicianFactory(
        user=factories.UserFactory(role="technician", username="luca", first_name="Luca", last_name="Ferri"),
        home_branch=milano,
        skills=[mini, midi],
    )


def machine_at(category, branch, where, fleet_number, **kwargs):
    return factories.MachineFactory(
        fleet_number=fleet_number, category=category, home_branch=branch, lat=where[0], lon=where[1], **kwargs
    )
