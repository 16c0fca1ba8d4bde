"""The dispatch plan follows the roads and the crew: tested against a real osrm-routed."""

from datetime import timedelta

import pytest
from geopy.distance import geodesic

from fleet.models import MachineStatus, Technician
from recovery import planning, services
from recovery.models import Channel
from routing.providers import ROAD_NETWORK, STRAIGHT_LINE
from tests import factories
from tests.routing.conftest import GRID, SITE, T0, crew


def test_the_machine_across_the_river_loses_to_a_farther_one_on_the_same_bank(
    on_road_network, incident, mini, firenze
):
    across = factories.machine_at(mini, firenze, GRID.point(18, 20), "FI0000001")
    same_bank = factories.machine_at(mini, firenze, GRID.point(13, 12), "FI0000002")
    crew(mini, firenze, GRID.point(13, 16), "marco")  # between the two yards' banks, south side
    assert geodesic((across.lat, across.lon), SITE) < geodesic((same_bank.lat, same_bank.lon), SITE)

    plan = planning.plan_dispatch(incident=incident, at=T0)

    assert plan.source == ROAD_NETWORK
    assert [o.fleet_number for o in plan.options] == ["FI0000002", "FI0000001"]
    best = plan.best
    assert [leg.name for leg in best.legs] == ["to the yard", "preparation and loading", "to the job site"]
    assert best.legs[2].distance_km == pytest.approx(8.9, abs=0.2)


def test_the_straight_line_would_have_sent_the_machine_across_the_river(incident, mini, firenze):
    factories.machine_at(mini, firenze, GRID.point(18, 20), "FI0000001")
    factories.machine_at(mini, firenze, GRID.point(13, 12), "FI0000002")
    crew(mini, firenze, GRID.point(13, 16), "marco")

    plan = planning.plan_dispatch(incident=incident, at=T0)

    assert plan.source == STRAIGHT_LINE
    assert plan.best.fleet_number == "FI0000001"


def test_a_crew_far_from_the_near_yard_makes_the_farther_machine_win(
    on_road_network, incident, mini, firenze
):
    near = factories.machine_at(mini, firenze, GRID.point(9, 20), "FI0000003")  # 4 rows south of the site
    far = factories.machine_at(mini, firenze, GRID.point(13, 8), "FI0000004")  # 12 columns west

    crew(mini, firenze, (near.lat, near.lon), "anna")
    with_crew_at_near = planning.plan_dispatch(incident=incident, at=T0)
    assert with_crew_at_near.best.fleet_number == "FI0000003"
    assert with_crew_at_near.best.legs[0].minutes == 0  # the crew travels with the machine

    Technician.objects.update(on_shift=False)
    crew(mini, firenze, (far.lat, far.lon), "bruno")
    with_crew_at_far = planning.plan_dispatch(incident=incident, at=T0)
    assert with_crew_at_far.best.fleet_number == "FI0000004"
    assert with_crew_at_far.best.crew.name.startswith("Bruno")


def test_the_dispatcher_overrides_the_machine_and_the_plan_follows(on_road_network, incident, mini, firenze):
    across = factories.machine_at(mini, firenze, GRID.point(18, 20), "FI0000001")
    factories.machine_at(mini, firenze, GRID.point(13, 12), "FI0000002")
    crew(mini, firenze, GRID.point(13, 16), "marco")

    plan = planning.plan_dispatch(incident=incident, machine=across, at=T0)

    assert [o.fleet_number for o in plan.options] == ["FI0000001"]
    assert plan.best.legs[2].distance_km > 40


def test_osrm_down_the_plan_says_straight_line_fallback(incident, mini, firenze, settings):
    settings.ROUTING_PROVIDER = "routing.providers.OsrmProvider"
    settings.OSRM_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    factories.machine_at(mini, firenze, GRID.point(13, 12), "FI0000002")
    crew(mini, firenze, GRID.point(13, 16), "marco")

    plan = planning.plan_dispatch(incident=incident, at=T0)

    assert plan.source == "straight-line fallback"
    assert "did not answer" in plan.reason
    assert plan.best.fleet_number == "FI0000002"


def test_firenze_a_crew_65_km_from_the_yard_is_promised_an_arrival_including_that_drive(mini, dispatcher):
    """The reported case: the promise once ignored the crew's 65 km drive to the replacement's yard."""
    firenze = factories.BranchFactory(name="Firenze", lat=43.7696, lon=11.2558, average_road_speed_kmh=55)
    site = (43.7800, 11.2000)
    broken = factories.MachineFactory(
        fleet_number="FI0000200", category=mini, home_branch=firenze, status=MachineStatus.ON_RENT,
        lat=site[0], lon=site[1],
    )  # fmt: skip
    rental = factories.RentalFactory(machine=broken, branch=firenze, site_lat=site[0], site_lon=site[1])
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Engine stalls", at=T0
    )
    replacement = factories.machine_at(mini, firenze, (firenze.lat, firenze.lon), "FI0000201")
    arezzo = (43.4633, 11.8797)  # the only skilled crew on shift, last seen near Arezzo
    crew(mini, firenze, arezzo, "luigi")
    assert geodesic(arezzo, (firenze.lat, firenze.lon)).km == pytest.approx(60, abs=6)

    incident = services.dispatch_start(incident=incident, machine=replacement, by=dispatcher, at=T0)

    drive_to_yard = timedelta(hours=geodesic(arezzo, (firenze.lat, firenze.lon)).km * 1.3 / 55)
    to_site = timedelta(hours=geodesic((firenze.lat, firenze.lon), site).km * 1.3 / 55)
    assert incident.first_promised_eta == T0 + drive_to_yard + timedelta(minutes=20) + to_site
    assert incident.first_promised_eta - T0 > timedelta(minutes=100)  # not "74 min"
