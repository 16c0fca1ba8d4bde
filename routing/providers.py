"""Travel times behind one interface, chosen in settings.ROUTING_PROVIDER.

`travel_times(origins, destinations, depart_at)` answers a whole matrix in one call, so planning
thirty candidate machines costs one request to the routing engine, not thirty. Points are
(lat, lon). Every answer says where its figures come from: the road network, the straight-line
estimate, or the straight line because the road network failed (never silently)."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from geopy.distance import great_circle

logger = logging.getLogger(__name__)

Point = tuple[float, float]


class TravelSource(StrEnum):
    ROAD_NETWORK = "road_network"
    STRAIGHT_LINE = "straight_line"
    # The road network was asked and failed (down, slow, no route): the straight line stood in.
    STRAIGHT_LINE_FALLBACK = "straight_line_fallback"


@dataclass(frozen=True)
class Leg:
    duration: timedelta
    distance_km: float | None  # None when the caller asked for durations only


@dataclass(frozen=True)
class TravelMatrix:
    """legs[i][j]: from origins[i] to destinations[j]."""

    legs: list[list[Leg]]
    source: TravelSource
    # Why the straight line stood in, for the dispatcher and the logs.
    note: str = ""

    def leg(self, origin: int, destination: int) -> Leg:
        return self.legs[origin][destination]


class RoutingProvider:
    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        origin_speeds_kmh: Sequence[float] | None = None,
        distances: bool = True,
    ) -> TravelMatrix:
        """Durations and distances from every origin to every destination.

        `distances=False` asks for durations only: OSRM answers a table about twice as fast.

        `origin_speeds_kmh` is the straight-line estimate's average speed per origin (a depot's
        trucks); a road network knows its own speeds and ignores it."""
        raise NotImplementedError


class StraightLineProvider(RoutingProvider):
    """Geodesic km x road circuity / average road speed: no roads, no traffic, always available."""

    def __init__(self, *, circuity: float | None = None, speed_kmh: float | None = None) -> None:
        config = settings.PRONTO
        self.circuity = circuity if circuity is not None else config["ETA_ROAD_CIRCUITY"]
        self.speed_kmh = speed_kmh if speed_kmh is not None else config["ETA_DEFAULT_SPEED_KMH"]

    def leg(self, origin: Point, destination: Point, *, speed_kmh: float | None = None) -> Leg:
        # The sphere, not the ellipsoid: 14x cheaper, and 0.5 % is nothing beside the circuity guess.
        distance_km = great_circle(origin, destination).km
        hours = distance_km * self.circuity / (speed_kmh or self.speed_kmh)
        return Leg(duration=timedelta(hours=hours), distance_km=distance_km)

    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        origin_speeds_kmh: Sequence[float] | None = None,
        distances: bool = True,
        source: TravelSource = TravelSource.STRAIGHT_LINE,
        note: str = "",
    ) -> TravelMatrix:
        speeds = list(origin_speeds_kmh) if origin_speeds_kmh else [self.speed_kmh] * len(origins)
        legs = [[self.leg(o, d, speed_kmh=speeds[i]) for d in destinations] for i, o in enumerate(origins)]
        return TravelMatrix(legs=legs, source=source, note=note)


class CircuitBreaker:
    """After `threshold` failures in a row, stop asking for `cooldown` seconds: a routing engine
    that is down must not add its timeout to every dispatch. One trial request after the pause."""

    def __init__(self, *, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    def allows(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= self.cooldown:
                self.opened_at = None  # half-open: the next request is the trial
                self.failures = self.threshold - 1
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic()


class RoutingFailed(Exception):
    pass


class OsrmProvider(RoutingProvider):
    """A self-hosted osrm-routed over HTTP (`/table/v1/driving/…`), with a timeout, a circuit
    breaker and the straight line as the recorded fallback."""

    # Per process and per server: every request in a worker shares what it learnt of the engine.
    _breakers: dict[str, CircuitBreaker] = {}
    _breakers_lock = threading.Lock()

    def __init__(self, *, base_url: str | None = None, timeout: float | None = None) -> None:
        self.base_url = (base_url or settings.OSRM_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.OSRM_TIMEOUT_SECONDS
        self.fallback = StraightLineProvider()
        with self._breakers_lock:
            self.breaker = self._breakers.setdefault(
                self.base_url,
                CircuitBreaker(
                    threshold=settings.OSRM_BREAKER_FAILURES, cooldown=settings.OSRM_BREAKER_COOLDOWN_SECONDS
                ),
            )

    def _table(
        self, origins: Sequence[Point], destinations: Sequence[Point], distances: bool = True
    ) -> list[list[Leg | None]]:
        points = [*origins, *destinations]
        # OSRM wants lon,lat.
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        sources = ";".join(str(i) for i in range(len(origins)))
        targets = ";".join(str(len(origins) + j) for j in range(len(destinations)))
        url = (
            f"{self.base_url}/table/v1/driving/{coordinates}"
            f"?sources={sources}&destinations={targets}"
            f"&annotations={'duration,distance' if distances else 'duration'}"
        )
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310  (configured URL)
                body = json.load(response)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise RoutingFailed(f"OSRM did not answer: {exc}") from exc
        if body.get("code") != "Ok":
            raise RoutingFailed(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        durations, metres = body["durations"], body.get("distances")
        return [
            [
                None
                if durations[i][j] is None
                else Leg(
                    duration=timedelta(seconds=durations[i][j]),
                    distance_km=metres[i][j] / 1000 if metres else None,
                )
                for j in range(len(destinations))
            ]
            for i in range(len(origins))
        ]

    def travel_times(
        self,
        *,
        origins: Sequence[Point],
        destinations: Sequence[Point],
        depart_at: datetime | None = None,
        origin_speeds_kmh: Sequence[float] | None = None,
        distances: bool = True,
    ) -> TravelMatrix:
        def fallback(note: str) -> TravelMatrix:
            return self.fallback.travel_times(
                origins=origins,
                destinations=destinations,
                origin_speeds_kmh=origin_speeds_kmh,
                source=TravelSource.STRAIGHT_LINE_FALLBACK,
                note=note,
            )

        if not self.breaker.allows():
            return fallback("The road network is not answering; straight-line estimate.")
        try:
            table = self._table(origins, destinations, distances)
        except RoutingFailed as exc:
            self.breaker.failed()
            logger.warning("routing fell back to the straight line: %s", exc)
            return fallback("The road network did not answer; straight-line estimate.")
        self.breaker.succeeded()
        missing = [(i, j) for i, row in enumerate(table) for j, leg in enumerate(row) if leg is None]
        if not missing:
            return TravelMatrix(legs=table, source=TravelSource.ROAD_NETWORK)  # type: ignore[arg-type]
        # A point the road network cannot reach (a site off any mapped road): straight line for it.
        straight = fallback("")
        legs = [[leg or straight.leg(i, j) for j, leg in enumerate(row)] for i, row in enumerate(table)]
        return TravelMatrix(
            legs=legs,
            source=TravelSource.STRAIGHT_LINE_FALLBACK,
            note="No road route to part of the journey; straight-line estimate for it.",
        )


@lru_cache(maxsize=4)
def _provider_class(path: str) -> type[RoutingProvider]:
    return import_string(path)


def get_routing_provider() -> RoutingProvider:
    return _provider_class(settings.ROUTING_PROVIDER)()
