"""Travel-time providers behind one interface, chosen in settings.ROUTING_PROVIDER like EMAIL_BACKEND.

`travel_times()` answers a whole matrix in one call, so planning 30 candidates costs one request.
The straight line is today's formula (geodesic km x circuity / road speed); OSRM asks a self-hosted
`osrm-routed`. When OSRM fails the answer falls back to the straight line and says so in `source`:
a promise is never silently built on a guess."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from geopy.distance import geodesic

logger = logging.getLogger(__name__)

Point = tuple[float, float]  # (lat, lon)

ROAD_NETWORK = "road network"
STRAIGHT_LINE = "straight line"
STRAIGHT_LINE_FALLBACK = "straight-line fallback"

# One instance: geopy builds the WGS-84 ellipsoid's coefficients per instance, which costs
# as much as the distance itself.
_GEODESIC = geodesic()


@dataclass(frozen=True)
class Travel:
    duration: timedelta
    distance_km: float


@dataclass(frozen=True)
class TravelMatrix:
    """`cells[i][j]`: from origin i to destination j. `source` says where the figures come from."""

    cells: list[list[Travel]]
    source: str
    note: str = ""  # why a fallback happened, for the timeline and the console

    @property
    def fallback(self) -> bool:
        return self.source == STRAIGHT_LINE_FALLBACK


class RoutingProvider:
    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        road_speeds_kmh: Sequence[float] | None = None,
    ) -> TravelMatrix:
        """Driving from every origin to every destination. `road_speeds_kmh` (one per origin, the
        branch's average) only matters to the straight line; a road network knows its speeds."""
        raise NotImplementedError


class StraightLineProvider(RoutingProvider):
    """Geodesic km x road circuity / the branch's average road speed."""

    source = STRAIGHT_LINE

    def __init__(self, *, circuity: float | None = None):
        self.circuity = circuity if circuity is not None else settings.PRONTO["ETA_ROAD_CIRCUITY"]

    def travel(self, *, origin: Point, destination: Point, road_speed_kmh: float) -> Travel:
        km = _GEODESIC.measure(origin, destination)
        return Travel(duration=timedelta(hours=km * self.circuity / road_speed_kmh), distance_km=km)

    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        road_speeds_kmh: Sequence[float] | None = None,
    ) -> TravelMatrix:
        speeds = road_speeds_kmh or [settings.PRONTO["ETA_DEFAULT_SPEED_KMH"]] * len(origins)
        return TravelMatrix(
            cells=[
                [self.travel(origin=o, destination=d, road_speed_kmh=speed) for d in destinations]
                for o, speed in zip(origins, speeds, strict=True)
            ],
            source=self.source,
        )


class RoutingUnavailable(Exception):
    pass


class CircuitBreaker:
    """After `failures` errors in a row, stop asking for `reset_seconds`: a dead engine must not
    add its timeout to every plan. Per process: each worker finds out on its own within a few calls."""

    def __init__(self, *, failures: int, reset_seconds: float):
        self.threshold = failures
        self.reset_seconds = reset_seconds
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0

    def allows(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._open_until

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._open_until = time.monotonic() + self.reset_seconds
                self._failures = 0


class OsrmProvider(RoutingProvider):
    """A self-hosted osrm-routed over HTTP (`/table/v1/driving`), falling back to the straight line."""

    source = ROAD_NETWORK

    def __init__(self, *, base_url: str | None = None, timeout_seconds: float | None = None):
        self.base_url = (base_url or settings.OSRM_URL).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"OSRM_URL must be an http(s) address, not {self.base_url!r}")
        self.timeout = timeout_seconds if timeout_seconds is not None else settings.ROUTING_TIMEOUT_SECONDS
        self.breaker = _breaker(self.base_url)

    def _get(self, path: str) -> dict:
        try:
            # The URL is OSRM_URL from settings (checked to be http(s) on construction), never user input.
            with urllib.request.urlopen(f"{self.base_url}{path}", timeout=self.timeout) as response:  # noqa: S310
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            # OSRM answers 400 with a JSON code (NoSegment, InvalidQuery...) for places it cannot route.
            raise RoutingUnavailable(f"OSRM answered {exc.code}") from exc
        except (OSError, ValueError) as exc:  # refused, timed out, not JSON
            raise RoutingUnavailable(f"OSRM unreachable: {exc}") from exc
        if body.get("code") != "Ok":
            raise RoutingUnavailable(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        return body

    def table(self, *, origins: Sequence[Point], destinations: Sequence[Point]) -> list[list[Travel]]:
        places = [*origins, *destinations]
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in places)
        sources = ";".join(str(i) for i in range(len(origins)))
        targets = ";".join(str(len(origins) + j) for j in range(len(destinations)))
        body = self._get(
            f"/table/v1/driving/{coordinates}?sources={sources}&destinations={targets}"
            "&annotations=duration,distance"
        )
        cells = []
        for durations, distances in zip(body["durations"], body["distances"], strict=True):
            if any(d is None for d in durations):
                raise RoutingUnavailable("OSRM found no road between some of the places")
            cells.append(
                [
                    Travel(duration=timedelta(seconds=seconds), distance_km=metres / 1000)
                    for seconds, metres in zip(durations, distances, strict=True)
                ]
            )
        return cells

    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        road_speeds_kmh: Sequence[float] | None = None,
    ) -> TravelMatrix:
        if not origins or not destinations:
            return TravelMatrix(cells=[[] for _ in origins], source=self.source)
        if self.breaker.allows():
            try:
                cells = self.table(origins=origins, destinations=destinations)
            except RoutingUnavailable as exc:
                self.breaker.failed()
                note = str(exc)
                logger.warning("routing fell back to the straight line: %s", note)
            else:
                self.breaker.succeeded()
                return TravelMatrix(cells=cells, source=self.source)
        else:
            note = "OSRM skipped after repeated failures (circuit open)"
        straight = StraightLineProvider().travel_times(
            origins=origins, destinations=destinations, road_speeds_kmh=road_speeds_kmh
        )
        return TravelMatrix(cells=straight.cells, source=STRAIGHT_LINE_FALLBACK, note=note)


@lru_cache(maxsize=8)
def _breaker(base_url: str) -> CircuitBreaker:
    return CircuitBreaker(
        failures=settings.ROUTING_BREAKER_FAILURES, reset_seconds=settings.ROUTING_BREAKER_RESET_SECONDS
    )


@lru_cache(maxsize=4)
def _provider_class(path: str) -> type[RoutingProvider]:
    return import_string(path)


def get_routing_provider() -> RoutingProvider:
    return _provider_class(settings.ROUTING_PROVIDER)()


def travel_times(
    *,
    origins: Sequence[Point],
    destinations: Sequence[Point],
    depart_at: datetime | None = None,
    road_speeds_kmh: Sequence[float] | None = None,
) -> TravelMatrix:
    """The one entry point: a matrix of (duration, distance) from the provider in settings."""
    return get_routing_provider().travel_times(
        origins=origins, destinations=destinations, depart_at=depart_at, road_speeds_kmh=road_speeds_kmh
    )
