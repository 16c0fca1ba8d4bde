"""The replacement ranking: nearest available compatible machine first, honest ETA, and why."""

import random

import pytest
from django.test import override_settings
from geopy.distance import geodesic, great_circle

from fleet.models import MachineStatus
from recovery import selectors
from tests import factories
from tests.factories import MILANO, MONZA, SITE, machine_at

pytestmark = pytest.mark.django_db


def test_nearest_available_machine_of_the_same_category_comes_first(mini, milano, monza):
    machine_at(mini, milano, MILANO, "PR0000001")
    machine_at(mini, monza, MONZA, "PR0000002")
    machine_at(mini, monza, (45.551, 9.201), "PR0000003", status=MachineStatus.ON_RENT)

    result = selectors.replacement_suggestions(category=mini, site=SITE)

    assert [s.fleet_number for s in result.suggestions] == ["PR0000002", "PR0000001"]
    first = result.suggestions[0]
    assert first.match == "exact"
    assert first.why == "Same category: Mini excavator 1.5–2 t"
    assert first.distance_km == pytest.approx(geodesic(MONZA, SITE).km, abs=0.05)


def test_without_a_crew_on_shift_the_plan_is_preparation_and_the_drive_and_the_promise_adds_a_cushion(
    mini, monza
):
    machine_at(mini, monza, MONZA, "PR0000002")

    with override_settings(PRONTO={**_pronto(), "ETA_ROAD_CIRCUITY": 1.5, "ETA_PREPARATION_MINUTES": 30}):
        suggestion = selectors.replacement_suggestions(category=mini, site=SITE).suggestions[0]

    # Straight line: sphere km x circuity / Monza's truck speed (60 km/h), after 30 minutes' loading.
    drive_minutes = great_circle(MONZA, SITE).km * 1.5 / 60 * 60
    plan = suggestion.plan
    assert plan.crew is None
    assert [(leg.name, round(leg.minutes, 1)) for leg in plan.legs] == [
        ("preparation and loading", 30.0),
        ("yard to the site", round(drive_minutes, 1)),
    ]
    assert plan.source == "straight_line"
    # No journey history yet at Monza: the promise is the travel time plus 20 %.
    assert plan.correction.basis == "no history yet"
    assert suggestion.eta_minutes == round((drive_minutes + 30) * 1.2)


def test_substitute_is_offered_with_its_place_in_the_customers_preferences(
    mini, midi, mini_accepts_midi, monza
):
    machine_at(midi, monza, MONZA, "PR0000005")

    suggestion = selectors.replacement_suggestions(category=mini, site=SITE).suggestions[0]

    assert suggestion.match == "substitute"
    assert suggestion.substitute_preference == 1
    assert suggestion.why == "Accepted substitute #1 for Mini excavator 1.5–2 t: Midi excavator 5–6 t"


def test_exact_category_wins_unless_a_substitute_is_much_sooner(mini, midi, mini_accepts_midi, milano, monza):
    machine_at(mini, milano, MILANO, "PR0000001")  # ~11 km
    machine_at(midi, monza, MONZA, "PR0000005")  # ~7 km: sooner, but not by 15 minutes

    ranked = [s.fleet_number for s in selectors.replacement_suggestions(category=mini, site=SITE).suggestions]
    assert ranked == ["PR0000001", "PR0000005"]

    with override_settings(PRONTO={**_pronto(), "SUBSTITUTE_PENALTY_MINUTES": 0}):
        ranked = [
            s.fleet_number for s in selectors.replacement_suggestions(category=mini, site=SITE).suggestions
        ]
    assert ranked == ["PR0000005", "PR0000001"]


def test_categories_the_customer_did_not_accept_are_never_offered(mini, midi, monza):
    machine_at(midi, monza, MONZA, "PR0000005")

    result = selectors.replacement_suggestions(category=mini, site=SITE)

    assert result.suggestions == []
    assert result.reason == "No available machine (Mini excavator 1.5–2 t) within 250 km of the site."


def test_nothing_within_the_radius_is_an_empty_list_with_a_reason(mini, milano):
    machine_at(mini, milano, (41.9, 12.5), "PR0000009")  # Rome, ~480 km

    with override_settings(PRONTO={**_pronto(), "SUGGESTION_RADIUS_KM": 100}):
        result = selectors.replacement_suggestions(category=mini, site=SITE)

    assert result.suggestions == []
    assert "within 100 km" in result.reason


def test_a_rare_category_far_away_is_still_found(mini, milano):
    rare = factories.CategoryFactory(code="telehandler-rotating-18m", name="Rotating telehandler 18 m")
    for n in range(300):
        machine_at(mini, milano, (45.4 + n / 1000, 9.1), f"PR1{n:06d}")
    machine_at(rare, milano, (40.85, 14.27), "PR0000777")  # Naples

    with override_settings(PRONTO={**_pronto(), "SUGGESTION_RADIUS_KM": 1000}):
        result = selectors.replacement_suggestions(category=rare, site=SITE)

    assert [s.fleet_number for s in result.suggestions] == ["PR0000777"]


def test_ranking_matches_a_brute_force_geodesic_scan(mini, milano):
    rng = random.Random(3)
    branches = [
        factories.BranchFactory(
            name=f"Depot {n}",
            lat=45 + rng.random(),
            lon=8.5 + rng.random() * 2,
            average_road_speed_kmh=rng.choice([40, 50, 60]),
        )
        for n in range(6)
    ]
    machines = [
        machine_at(
            mini, rng.choice(branches), (44.8 + rng.random() * 1.4, 8.3 + rng.random() * 2.4), f"PR2{n:06d}"
        )
        for n in range(400)
    ]

    for _ in range(10):
        site = (45 + rng.random(), 8.6 + rng.random() * 2)
        got = [
            s.fleet_number
            for s in selectors.replacement_suggestions(category=mini, site=site, limit=5).suggestions
        ]

        def eta_hours(m, site=site):
            return geodesic((m.lat, m.lon), site).km * 1.3 / m.home_branch.average_road_speed_kmh

        expected = [
            m.fleet_number for m in sorted(machines, key=lambda m: (eta_hours(m), m.fleet_number))[:5]
        ]
        assert got == expected


def _pronto():
    from django.conf import settings

    return dict(settings.PRONTO)


def test_a_farther_machine_from_a_faster_depot_ranks_first_when_it_arrives_sooner(mini):
    slow = factories.BranchFactory(name="Napoli", lat=SITE[0], lon=SITE[1], average_road_speed_kmh=20)
    fast = factories.BranchFactory(name="Verona", lat=SITE[0], lon=SITE[1], average_road_speed_kmh=90)
    machine_at(mini, slow, (SITE[0] + 0.09, SITE[1]), "PR0000010")  # 10 km at 20 km/h: 39 min driving
    machine_at(mini, fast, (SITE[0] + 0.18, SITE[1]), "PR0000020")  # 20 km at 90 km/h: 17 min driving

    ranked = selectors.replacement_suggestions(category=mini, site=SITE).suggestions

    assert [s.fleet_number for s in ranked] == ["PR0000020", "PR0000010"]
    assert [s.branch_name for s in ranked] == ["Verona", "Napoli"]
