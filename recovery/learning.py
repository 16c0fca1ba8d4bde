"""Learning from every arrival: each finished journey is kept beside its prediction, and a nightly
task fits, per branch and hour-of-week band, how long trips really take against the plan.

The planner multiplies its travel time by the median ratio for the expected arrival and by the
ratio at PROMISE_QUANTILE (p80 by default) for the promise we text: a time we keep four times in
five before the grace, not a mean we miss half the time. Robust by construction (medians and
quantiles, not means), with a minimum sample; a band without enough journeys falls back to its
branch, a branch without enough to the cushion in settings."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from recovery.models import Incident, Journey, TravelCorrection

BAND_HOURS = 4  # six bands a day


def band_of(at: datetime) -> int:
    """Weekday bands 0-5 (00-04, 04-08 … 20-24, local time), weekend bands 6-11: traffic differs."""
    local = timezone.localtime(at)
    return (6 if local.weekday() >= 5 else 0) + local.hour // BAND_HOURS


@dataclass(frozen=True)
class Correction:
    median_ratio: float
    promise_ratio: float
    # Where the figures come from: "branch and hour", "branch", or "no history yet".
    basis: str
    samples: int

    def expected(self, travel: timedelta) -> timedelta:
        return travel * self.median_ratio

    def promised(self, travel: timedelta) -> timedelta:
        return travel * self.promise_ratio


def default_correction() -> Correction:
    cushion = 1 + settings.PRONTO["PROMISE_DEFAULT_CUSHION_PCT"] / 100
    return Correction(median_ratio=1.0, promise_ratio=cushion, basis="no history yet", samples=0)


def corrections_for(*, branch_ids: Iterable[int], at: datetime) -> dict[int, Correction]:
    """The fitted correction of each branch for a trip dispatched at `at`, in one query."""
    band = band_of(at)
    wanted = set(branch_ids)
    found: dict[int, dict[int | None, TravelCorrection]] = {}
    for fitted in TravelCorrection.objects.filter(Q(band=band) | Q(band__isnull=True), branch_id__in=wanted):
        found.setdefault(fitted.branch_id, {})[fitted.band] = fitted
    result = {}
    for branch_id in wanted:
        rows = found.get(branch_id, {})
        row = rows.get(band) or rows.get(None)
        result[branch_id] = (
            Correction(
                median_ratio=row.median_ratio,
                promise_ratio=row.promise_ratio,
                basis="branch and hour" if row.band is not None else "branch",
                samples=row.samples,
            )
            if row is not None
            else default_correction()
        )
    return result


def correction_for(*, branch_id: int, at: datetime) -> Correction:
    """The fitted correction for a trip from this branch dispatched at `at`."""
    return corrections_for(branch_ids=[branch_id], at=at)[branch_id]


def journey_record(*, incident: Incident) -> Journey | None:
    """Keep the finished trip (called when the crew arrives). Nothing to learn without a plan."""
    plan = incident.plan or {}
    if not plan.get("travel_seconds") or incident.dispatched_at is None or incident.on_site_at is None:
        return None
    journey, _ = Journey.objects.update_or_create(
        incident=incident,
        defaults={
            "branch_id": plan["branch_id"],
            "band": band_of(incident.dispatched_at),
            "dispatched_at": incident.dispatched_at,
            "departed_at": incident.en_route_at,
            "arrived_at": incident.on_site_at,
            "predicted": timedelta(seconds=plan["travel_seconds"]),
            "legs": plan.get("legs", []),
            "source": plan.get("source", ""),
        },
    )
    return journey


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (inclusive interpolation), the way PostgreSQL's percentile_cont reads it."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class FittedCorrection:
    branch_id: int
    band: int | None  # None: the branch at any hour
    samples: int
    median_ratio: float
    promise_ratio: float


def fit_corrections(
    samples: Iterable[tuple[int, int, float]], *, q: float, minimum: int
) -> list[FittedCorrection]:
    """From (branch, band, actual/predicted ratio) samples: per branch, and per branch and band where
    there are at least `minimum` journeys, the median ratio and the ratio at quantile `q`."""
    by_branch: dict[int, list[tuple[int, float]]] = {}
    for branch_id, band, ratio in samples:
        by_branch.setdefault(branch_id, []).append((band, ratio))
    fitted = []
    for branch_id, found in by_branch.items():
        groups: dict[int | None, list[float]] = {None: [r for _, r in found]}
        for band, ratio in found:
            groups.setdefault(band, []).append(ratio)
        fitted += [
            FittedCorrection(branch_id, band, len(ratios), statistics.median(ratios), quantile(ratios, q))
            for band, ratios in groups.items()
            if len(ratios) >= minimum
        ]
    return fitted


def travel_corrections_fit(*, now: datetime | None = None, since_days: int | None = None) -> int:
    """Refit every branch's corrections from its recent journeys; returns how many rows were written."""
    now = now or timezone.now()
    config = settings.PRONTO
    since = now - timedelta(days=since_days or config["PROMISE_HISTORY_DAYS"])
    journeys = Journey.objects.filter(arrived_at__gte=since, predicted__gt=timedelta(0)).only(
        "branch_id", "band", "dispatched_at", "arrived_at", "predicted"
    )
    fitted = fit_corrections(
        ((j.branch_id, j.band, j.ratio) for j in journeys.iterator()),
        q=config["PROMISE_QUANTILE"],
        minimum=config["PROMISE_MIN_SAMPLES"],
    )
    with transaction.atomic():
        TravelCorrection.objects.all().delete()
        TravelCorrection.objects.bulk_create(
            TravelCorrection(
                branch_id=f.branch_id,
                band=f.band,
                samples=f.samples,
                median_ratio=f.median_ratio,
                promise_ratio=f.promise_ratio,
                fitted_at=now,
            )
            for f in fitted
        )
    return len(fitted)
