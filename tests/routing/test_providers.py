"""The travel-time interface against a real osrm-routed, its timeout, breaker and fallback."""

import socket
import threading
from datetime import timedelta

import pytest
from django.test import override_settings

from routing import providers
from routing.providers import (
    ROAD_NETWORK,
    STRAIGHT_LINE,
    STRAIGHT_LINE_FALLBACK,
    OsrmProvider,
    travel_times,
)
from tests.routing.conftest import GRID

SITE = GRID.point(13, 20)
ACROSS_RIVER = GRID.point(18, 20)  # 5.6 km north, but the bridge is 18 columns west
SAME_BANK = GRID.point(13, 12)  # 8.9 km west on a straight local road


def test_the_road_network_sends_the_machine_across_the_river_the_long_way(on_road_network):
    matrix = travel_times(origins=[ACROSS_RIVER, SAME_BANK], destinations=[SITE])

    across, same = matrix.cells[0][0], matrix.cells[1][0]
    assert matrix.source == ROAD_NETWORK
    assert across.distance_km > 40  # to the bridge and back
    assert same.distance_km == pytest.approx(8.9, abs=0.2)
    assert same.duration < across.duration


def test_the_straight_line_prefers_the_machine_across_the_river():
    matrix = travel_times(origins=[ACROSS_RIVER, SAME_BANK], destinations=[SITE], road_speeds_kmh=[50, 50])

    assert matrix.source == STRAIGHT_LINE
    assert matrix.cells[0][0].duration < matrix.cells[1][0].duration


def test_a_matrix_answers_every_origin_to_every_destination_in_one_call(on_road_network):
    origins = [GRID.point(r, 3) for r in range(10)]
    destinations = [GRID.point(2, c) for c in range(0, 30, 10)]

    matrix = travel_times(origins=origins, destinations=destinations)

    assert [len(row) for row in matrix.cells] == [3] * 10
    assert matrix.cells[2][0].distance_km == pytest.approx(3 * 1.11, abs=0.1)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_osrm_down_falls_back_to_the_straight_line_and_says_so():
    providers._breaker.cache_clear()
    with override_settings(
        ROUTING_PROVIDER="routing.providers.OsrmProvider", OSRM_URL=f"http://127.0.0.1:{_closed_port()}"
    ):
        matrix = travel_times(origins=[SAME_BANK], destinations=[SITE], road_speeds_kmh=[50])

    assert matrix.source == STRAIGHT_LINE_FALLBACK
    assert "unreachable" in matrix.note
    assert matrix.cells[0][0].distance_km == pytest.approx(8.9, abs=0.2)


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a hung routing engine."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_hung_osrm_times_out_then_the_circuit_opens(silent_server):
    providers._breaker.cache_clear()
    with override_settings(ROUTING_BREAKER_FAILURES=2, ROUTING_BREAKER_RESET_SECONDS=600):
        provider = OsrmProvider(base_url=silent_server, timeout_seconds=0.2)
        notes = [
            provider.travel_times(origins=[SAME_BANK], destinations=[SITE], road_speeds_kmh=[50]).note
            for _ in range(3)
        ]
    providers._breaker.cache_clear()

    assert "timed out" in notes[0]
    assert "timed out" in notes[1]
    assert notes[2] == "OSRM skipped after repeated failures (circuit open)"


def test_osrm_answers_road_times_not_crow_flight(on_road_network):
    matrix = travel_times(origins=[GRID.point(13, 0)], destinations=[GRID.point(13, 10)])

    # 11 km of residential road at car.lua's 25 km/h-ish: far slower than the straight line at 55.
    assert matrix.cells[0][0].duration > timedelta(minutes=20)
