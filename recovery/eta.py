"""ETA providers. The straight-line provider is the default; a routing engine (OSRM, a traffic
API) can replace it by naming another class in settings.ETA_PROVIDER, without touching callers."""

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from geopy.distance import geodesic

Point = tuple[float, float]

# One instance: geopy builds the WGS-84 ellipsoid's coefficients per instance, which costs
# as much as the distance itself.
_GEODESIC = geodesic()


@dataclass(frozen=True)
class TravelEstimate:
    distance_km: float
    duration: timedelta


class EtaProvider:
    def estimate(
        self, *, origin: Point, destination: Point, road_speed_kmh: float, loading: bool
    ) -> TravelEstimate:
        """Travel from origin to destination; `loading` adds the time to prepare and load a machine."""
        raise NotImplementedError


class StraightLineEtaProvider(EtaProvider):
    """Geodesic km x road circuity / the branch's average road speed, plus preparation time."""

    def __init__(self, *, circuity: float | None = None, preparation_minutes: int | None = None):
        config = settings.PRONTO
        self.circuity = circuity if circuity is not None else config["ETA_ROAD_CIRCUITY"]
        self.preparation = timedelta(
            minutes=preparation_minutes
            if preparation_minutes is not None
            else config["ETA_PREPARATION_MINUTES"]
        )

    def duration_for(self, *, distance_km: float, road_speed_kmh: float, loading: bool) -> timedelta:
        driving = timedelta(hours=distance_km * self.circuity / road_speed_kmh)
        return driving + self.preparation if loading else driving

    def estimate(
        self, *, origin: Point, destination: Point, road_speed_kmh: float, loading: bool
    ) -> TravelEstimate:
        distance_km = _GEODESIC.measure(origin, destination)
        return TravelEstimate(
            distance_km=distance_km,
            duration=self.duration_for(
                distance_km=distance_km, road_speed_kmh=road_speed_kmh, loading=loading
            ),
        )


@lru_cache(maxsize=4)
def _provider_class(path: str) -> type[EtaProvider]:
    return import_string(path)


def get_eta_provider() -> EtaProvider:
    return _provider_class(settings.ETA_PROVIDER)()
