"""What the dispatcher sees of the plan: each candidate's crew, legs, expected and promised arrival,
and where the travel times came from; and what the nightly fit learns from finished journeys."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from recovery import learning, planning, services
from recovery.models import Channel
from tests import factories
from tests.routing.conftest import GRID, SITE, T0, crew


@pytest.fixture
def candidates(mini, firenze):
    factories.machine_at(mini, firenze, GRID.point(13, 12), "FI0000002")
    return crew(mini, firenze, GRID.point(13, 16), "marco")


def test_the_suggestions_api_shows_each_candidates_crew_legs_and_promise(
    on_road_network, incident, candidates, dispatcher_api
):
    body = dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/suggestions/").json()

    [option] = body["plan"]
    assert body["travel_source"] == "road network"
    assert option["fleet_number"] == "FI0000002"
    assert option["crew"]["name"].startswith("Marco")
    assert option["crew"]["position_from"] == "last ping"
    assert [leg["name"] for leg in option["legs"]] == [
        "to the yard",
        "preparation and loading",
        "to the job site",
    ]
    assert option["legs"][0]["distance_km"] == pytest.approx(4.4, abs=0.2)
    assert option["promised_at"] >= option["expected_at"]
    assert body["technicians"][0]["name"].startswith("Marco")


def test_the_console_says_when_the_road_network_did_not_answer(
    incident, candidates, dispatcher_client, settings
):
    settings.ROUTING_PROVIDER = "routing.providers.OsrmProvider"
    settings.OSRM_URL = "http://127.0.0.1:9"

    page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()

    assert "straight line — the road network did not answer" in page
    assert "to the yard" in page


def test_the_nightly_fit_learns_from_finished_journeys_and_the_promise_follows(
    incident, candidates, dispatcher, mini, firenze
):
    cache.delete(learning.CACHE_KEY)
    before = planning.plan_dispatch(incident=incident, at=T0).best
    assert before.promised_at == before.expected_at  # nothing learnt yet: the plan's own figure

    # 20 past journeys of this branch, each taking 1.5x what the plan predicted.
    for n in range(20):
        day = T0 - timedelta(days=n + 1)
        broken = factories.MachineFactory(category=mini, home_branch=firenze, lat=SITE[0], lon=SITE[1])
        rental = factories.RentalFactory(machine=broken, branch=firenze, site_lat=SITE[0], site_lon=SITE[1])
        past = services.incident_log(
            rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Leak", at=day
        )
        replacement = factories.machine_at(mini, firenze, GRID.point(13, 12), f"FP{n:07d}")
        past = services.dispatch_start(incident=past, machine=replacement, by=dispatcher, at=day)
        predicted = timedelta(minutes=past.timeline.get(kind="dispatched").data["predicted_minutes"])
        services.dispatch_arrive(incident=past, by=dispatcher, at=day + predicted * (1.4 + n / 100))

    fitted = learning.arrival_corrections_fit(now=T0)
    after = planning.plan_dispatch(incident=incident, at=T0).best

    assert fitted.branches[firenze.pk].sample == 20
    assert after.expected_at - T0 == pytest.approx((before.expected_at - T0) * 1.5, abs=timedelta(minutes=1))
    assert after.promised_at > after.expected_at
    cache.delete(learning.CACHE_KEY)
