"""Travel times from a real osrm-routed on a generated road network, and the straight line when
the road network fails: recorded, never silent."""

from datetime import timedelta

import pytest
from geopy.distance import great_circle

from routing.providers import OsrmProvider, StraightLineProvider, TravelSource, get_routing_provider
from tests.fakes.road_network import OsrmServer


def test_the_road_network_sends_a_trip_across_the_river_round_by_the_only_bridge(osrm):
    west, across, same_bank = osrm.point(20, 17), osrm.point(20, 20), osrm.point(20, 12)

    matrix = get_routing_provider().travel_times(origins=[across, same_bank], destinations=[west])

    assert matrix.source == TravelSource.ROAD_NETWORK
    over_the_bridge, along_the_bank = matrix.leg(0, 0), matrix.leg(1, 0)
    # Closer as the crow flies, but the bridge is 18 blocks north and back.
    assert great_circle(across, west).km < great_circle(same_bank, west).km
    assert over_the_bridge.distance_km > 15 > along_the_bank.distance_km
    assert over_the_bridge.duration > 4 * along_the_bank.duration


def test_one_call_answers_the_whole_matrix(osrm):
    origins = [osrm.point(r, 3) for r in range(0, 30, 3)]
    destinations = [osrm.point(r, 30) for r in range(0, 30, 10)]

    matrix = get_routing_provider().travel_times(origins=origins, destinations=destinations)

    assert len(matrix.legs) == 10 and all(len(row) == 3 for row in matrix.legs)
    assert all(leg.duration > timedelta(0) for row in matrix.legs for leg in row)


def test_a_road_network_that_is_down_gives_the_straight_line_and_says_so(osrm, settings):
    down = OsrmServer(dataset=None)  # a free port with nothing behind it
    settings.OSRM_URL = down.url

    matrix = get_routing_provider().travel_times(origins=[osrm.point(1, 1)], destinations=[osrm.point(5, 5)])

    assert matrix.source == TravelSource.STRAIGHT_LINE_FALLBACK
    assert matrix.note == "The road network did not answer; straight-line estimate."
    straight = StraightLineProvider().leg(osrm.point(1, 1), osrm.point(5, 5))
    assert matrix.leg(0, 0) == straight


def test_after_repeated_failures_the_breaker_stops_asking_for_a_while(osrm, settings, monkeypatch):
    settings.OSRM_URL = OsrmServer(dataset=None).url
    settings.OSRM_BREAKER_FAILURES = 2
    provider = OsrmProvider()
    calls = []
    real_table = provider._table

    def counting(*args):
        calls.append(args)
        return real_table(*args)

    monkeypatch.setattr(provider, "_table", counting)
    for _ in range(4):
        result = provider.travel_times(origins=[osrm.point(1, 1)], destinations=[osrm.point(2, 2)])

    assert len(calls) == 2  # the third and fourth plans did not wait for a dead server
    assert result.note == "The road network is not answering; straight-line estimate."


def test_a_slow_road_network_is_given_up_after_the_timeout(osrm, settings):
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts, never answers
    settings.OSRM_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.OSRM_TIMEOUT_SECONDS = 0.3
    try:
        started = time.monotonic()
        matrix = get_routing_provider().travel_times(
            origins=[osrm.point(1, 1)], destinations=[osrm.point(2, 2)]
        )
        waited = time.monotonic() - started
    finally:
        listener.close()

    assert matrix.source == TravelSource.STRAIGHT_LINE_FALLBACK
    assert waited < 2


@pytest.mark.parametrize("speed", [30.0, 60.0])
def test_the_straight_line_is_sphere_km_times_circuity_over_speed(settings, speed):
    a, b = (45.0, 9.0), (45.3, 9.4)

    leg = StraightLineProvider(circuity=1.3).leg(a, b, speed_kmh=speed)

    assert leg.duration == timedelta(hours=great_circle(a, b).km * 1.3 / speed)
