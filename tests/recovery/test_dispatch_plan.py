"""The dispatch plan: the whole journey (crew to the yard, loading, yard to the site) on real roads,
the crew that gets there first, and a promise learnt from past arrivals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from geopy.distance import great_circle

from fleet.models import MachineStatus
from notifications.models import Message, MessageKind
from recovery import learning, selectors, services
from recovery.models import Journey, Outcome, TravelCorrection
from routing.providers import StraightLineProvider
from tests import factories
from tests.factories import machine_at

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    from notifications import services as sms

    monkeypatch.setattr(sms, "_enqueue", lambda message_id: None)


def branch(name, where, speed=60.0):
    return factories.BranchFactory(name=name, lat=where[0], lon=where[1], average_road_speed_kmh=speed)


def crew(name, branch, where, *skills, pinged_at=None):
    technician = factories.TechnicianFactory(
        user=factories.UserFactory(role="technician", username=name.lower(), first_name=name),
        home_branch=branch,
        lat=where[0],
        lon=where[1],
        skills=list(skills),
    )
    technician.position_updated_at = pinged_at or timezone.now()
    technician.save(update_fields=["position_updated_at"])
    return technician


def rental_at(site, category, home):
    broken = machine_at(category, home, site, "PR0009999", status=MachineStatus.ON_RENT)
    return factories.RentalFactory(machine=broken, branch=home, site_lat=site[0], site_lon=site[1])


# --- On real roads (osrm-routed on the generated grid) ------------------------------------------


def test_the_machine_across_the_river_loses_to_a_farther_one_on_the_same_bank(osrm, mini):
    yard = branch("Ovest", osrm.point(10, 5))
    site = osrm.point(20, 17)
    machine_at(mini, yard, osrm.point(20, 20), "PR0000001")  # 1.7 km away, across the river
    machine_at(mini, yard, osrm.point(20, 12), "PR0000002")  # 2.8 km away, same bank
    crew("Luca", yard, osrm.point(20, 16), mini)

    result = selectors.replacement_suggestions(category=mini, site=site)

    first, second = result.suggestions
    assert [first.fleet_number, second.fleet_number] == ["PR0000002", "PR0000001"]
    assert first.plan.source == second.plan.source == "road_network"
    assert great_circle(osrm.point(20, 20), site).km < great_circle(osrm.point(20, 12), site).km
    assert first.plan.expected_arrival < second.plan.expected_arrival


def test_a_crew_far_from_the_nearer_yard_makes_the_farther_machine_win(osrm, mini):
    near_yard, far_yard = branch("Vicino", osrm.point(24, 10)), branch("Lontano", osrm.point(8, 4))
    site = osrm.point(24, 12)
    machine_at(mini, near_yard, osrm.point(24, 10), "PR0000010")  # 1 km from the site
    machine_at(mini, far_yard, osrm.point(8, 4), "PR0000020")  # 10 km from the site
    only_crew = crew("Marco", far_yard, osrm.point(8, 4), mini)  # at the far yard, 10 km from the near one

    suggestions = selectors.replacement_suggestions(category=mini, site=site).suggestions

    assert [s.fleet_number for s in suggestions] == ["PR0000020", "PR0000010"]
    winner, other = suggestions
    assert winner.plan.crew.technician_id == other.plan.crew.technician_id == only_crew.pk
    # Marco loads the machine where he stands; for the near one he must first drive to its yard.
    assert [leg.name for leg in winner.plan.legs] == [
        "crew to the yard",
        "preparation and loading",
        "yard to the site",
    ]
    assert winner.plan.legs[0].minutes < 1
    assert other.plan.legs[0].minutes > winner.plan.legs[2].minutes - other.plan.legs[2].minutes


# --- The whole journey, straight line (the embedded default) ------------------------------------


def test_the_firenze_case_a_crew_65_km_from_the_yard_is_promised_an_arrival_that_includes_the_drive(
    mini, dispatcher
):
    firenze = branch("Firenze", (43.7696, 11.2558))
    arezzo = branch("Arezzo", (43.4633, 11.8797))
    site = (43.7800, 11.2000)
    machine = machine_at(mini, firenze, (43.7696, 11.2558), "PR0000030")
    far_crew = crew("Ilaria", arezzo, (43.4633, 11.8797), mini)
    incident = factories.incident_through(
        rental=rental_at(site, mini, firenze), by=dispatcher, symptom="Dead", reported_at=T0
    )

    incident = services.dispatch_start(incident=incident, machine=machine, by=dispatcher, at=T0)

    straight = StraightLineProvider()
    crew_drive = straight.leg((43.4633, 11.8797), (43.7696, 11.2558)).duration
    delivery = straight.leg((43.7696, 11.2558), site, speed_kmh=60).duration
    travel = crew_drive + timedelta(minutes=20) + delivery
    assert great_circle((43.4633, 11.8797), (43.7696, 11.2558)).km > 60
    assert incident.technician == far_crew
    assert incident.expected_eta == T0 + travel
    assert incident.first_promised_eta == incident.current_eta == T0 + travel * 1.2
    assert incident.plan["legs"][0] == {
        "name": "crew to the yard",
        "minutes": round(crew_drive.total_seconds() / 60, 1),
        "distance_km": round(great_circle((43.4633, 11.8797), (43.7696, 11.2558)).km, 1),
    }
    # The customer is texted the promise, which includes Ilaria's drive to Firenze.
    eta_sms = Message.objects.get(incident=incident, kind=MessageKind.ETA)
    assert f"{timezone.localtime(T0 + travel * 1.2):%H:%M}" in eta_sms.body


def test_the_dispatcher_may_send_another_crew_and_the_plan_is_recomputed_for_them(mini, dispatcher):
    yard = branch("Firenze", (43.7696, 11.2558))
    site = (43.7800, 11.2000)
    machine = machine_at(mini, yard, (43.7696, 11.2558), "PR0000040")
    crew("Near", yard, (43.7696, 11.2558), mini)
    chosen = crew("Far", yard, (43.4633, 11.8797))  # no skill on file: the dispatcher knows better
    incident = factories.incident_through(
        rental=rental_at(site, mini, yard), by=dispatcher, symptom="Dead", reported_at=T0
    )

    incident = services.dispatch_start(
        incident=incident, machine=machine, technician=chosen, by=dispatcher, at=T0
    )

    assert incident.technician == chosen
    assert incident.plan["technician_id"] == chosen.pk
    assert incident.plan["legs"][0]["minutes"] > 60  # the chosen crew's own drive to the yard


# --- Learning from every arrival ----------------------------------------------------------------


def journeys_taking(ratio, *, count, yard, mini, dispatcher, technician, start=T0):
    """`count` swaps from `yard`, each dispatched on a Monday morning and arriving `ratio` x the plan."""
    for n in range(count):
        at = start - timedelta(weeks=n + 1)
        broken = factories.MachineFactory(
            category=mini, home_branch=yard, lat=43.78, lon=11.20, status=MachineStatus.ON_RENT
        )
        rental = factories.RentalFactory(machine=broken, branch=yard, site_lat=43.78, site_lon=11.20)
        replacement = factories.MachineFactory(category=mini, home_branch=yard, lat=43.7696, lon=11.2558)
        incident = factories.incident_through(
            "dispatched",
            rental=rental,
            by=dispatcher,
            symptom="Dead",
            reported_at=at,
            machine=replacement,
            technician=technician,
            dispatched_after=0,
        )
        travel = timedelta(seconds=incident.plan["travel_seconds"])
        services.dispatch_arrive(incident=incident, by=technician.user, at=at + travel * ratio)
        services.incident_recover(
            incident=incident,
            outcome=Outcome.SWAPPED,
            by=technician.user,
            at=at + travel * ratio + timedelta(minutes=5),
        )


def test_every_arrival_is_kept_beside_its_prediction(mini, dispatcher):
    yard = branch("Firenze", (43.7696, 11.2558))
    technician = crew("Luca", yard, (43.7696, 11.2558), mini)

    journeys_taking(1.5, count=1, yard=yard, mini=mini, dispatcher=dispatcher, technician=technician)

    journey = Journey.objects.get()
    assert journey.branch == yard
    assert journey.ratio == pytest.approx(1.5)
    assert [leg["name"] for leg in journey.legs] == [
        "crew to the yard",
        "preparation and loading",
        "yard to the site",
    ]


def test_the_nightly_fit_learns_how_late_a_branch_runs_and_the_promise_follows(mini, dispatcher, settings):
    settings.PRONTO = {**settings.PRONTO, "PROMISE_MIN_SAMPLES": 5, "PROMISE_QUANTILE": 0.8}
    yard = branch("Firenze", (43.7696, 11.2558))
    technician = crew("Luca", yard, (43.7696, 11.2558), mini)
    for ratio in (1.3, 1.4, 1.5, 1.6, 1.7):
        journeys_taking(ratio, count=1, yard=yard, mini=mini, dispatcher=dispatcher, technician=technician)

    written = learning.travel_corrections_fit(now=T0)

    branch_wide = TravelCorrection.objects.get(branch=yard, band__isnull=True)
    assert written >= 1
    assert branch_wide.median_ratio == pytest.approx(1.5)
    assert branch_wide.promise_ratio == pytest.approx(1.62)  # the 80th percentile of 1.3 … 1.7
    machine = machine_at(mini, yard, (43.7696, 11.2558), "PR0000050")
    plan = selectors.replacement_suggestions(category=mini, site=(43.78, 11.20), now=T0).suggestions[0].plan
    assert machine.pk == plan.machine_id
    assert plan.expected_arrival == T0 + plan.travel * 1.5
    assert (plan.promised_arrival - T0) / plan.travel == pytest.approx(1.62)
    assert plan.correction.basis in ("branch", "branch and hour")


def test_without_enough_history_the_promise_keeps_the_default_cushion(mini, dispatcher, settings):
    settings.PRONTO = {**settings.PRONTO, "PROMISE_MIN_SAMPLES": 50}
    yard = branch("Firenze", (43.7696, 11.2558))
    technician = crew("Luca", yard, (43.7696, 11.2558), mini)
    journeys_taking(2.0, count=3, yard=yard, mini=mini, dispatcher=dispatcher, technician=technician)

    assert learning.travel_corrections_fit(now=T0) == 0
    correction = learning.correction_for(branch_id=yard.pk, at=T0)
    assert (correction.median_ratio, correction.promise_ratio, correction.basis) == (
        1.0,
        1.2,
        "no history yet",
    )
