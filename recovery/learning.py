"""Learning from arrivals: how far off our predicted journeys were, per branch and hour of the week.

Every dispatch records the plan's predicted journey (minutes) on its timeline event; the crew's
device reports when they arrived. A nightly task (recovery.tasks.arrival_corrections_fit) fits,
per branch x 4-hour band of the week, the ratio actual / predicted: its median corrects the
expected arrival and its PROMISE_QUANTILE (default p80) sets the promise. Medians and quantiles
shrug off the odd breakdown on the road; a band with fewer than PROMISE_MIN_SAMPLE journeys uses
its branch's figures, a branch without enough uses none (the plan's own figure)."""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from recovery.models import EventKind, TimelineEvent

CACHE_KEY = "recovery:arrival-corrections"
BAND_HOURS = 4


@dataclass(frozen=True)
class Correction:
    expected_factor: float = 1.0
    promised_factor: float = 1.0
    sample: int = 0
    scope: str = "none"  # "band", "branch" or "none"

    def apply(self, travel: timedelta) -> tuple[timedelta, timedelta]:
        """(expected, promised) for a predicted journey; a promise is never sooner than expected."""
        expected = travel * self.expected_factor
        return expected, max(expected, travel * self.promised_factor)


@dataclass(frozen=True)
class Journey:
    branch_id: int
    depart_at: datetime
    predicted: timedelta
    actual: timedelta


def week_band(at: datetime) -> int:
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    return (local.weekday() * 24 + local.hour) // BAND_HOURS


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _correction(ratios: list[float], *, quantile: float, scope: str) -> Correction:
    return Correction(
        expected_factor=statistics.median(ratios),
        promised_factor=_quantile(ratios, quantile),
        sample=len(ratios),
        scope=scope,
    )


@dataclass(frozen=True)
class Corrections:
    bands: dict[tuple[int, int], Correction]
    branches: dict[int, Correction]

    def for_journey(self, *, branch_id: int, depart_at: datetime) -> Correction:
        return (
            self.bands.get((branch_id, week_band(depart_at))) or self.branches.get(branch_id) or Correction()
        )


def corrections_fit(
    journeys: Iterable[Journey], *, quantile: float | None = None, min_sample: int | None = None
) -> Corrections:
    quantile = quantile if quantile is not None else settings.PRONTO["PROMISE_QUANTILE"]
    min_sample = min_sample if min_sample is not None else settings.PRONTO["PROMISE_MIN_SAMPLE"]
    by_band: dict[tuple[int, int], list[float]] = defaultdict(list)
    by_branch: dict[int, list[float]] = defaultdict(list)
    for journey in journeys:
        if journey.predicted <= timedelta(0) or journey.actual <= timedelta(0):
            continue  # a crew that was already there teaches nothing about driving
        ratio = journey.actual / journey.predicted
        by_band[(journey.branch_id, week_band(journey.depart_at))].append(ratio)
        by_branch[journey.branch_id].append(ratio)
    return Corrections(
        bands={
            k: _correction(v, quantile=quantile, scope="band")
            for k, v in by_band.items()
            if len(v) >= min_sample
        },
        branches={
            k: _correction(v, quantile=quantile, scope="branch")
            for k, v in by_branch.items()
            if len(v) >= min_sample
        },
    )


def corrections_store(corrections: Corrections) -> None:
    cache.set(CACHE_KEY, corrections, timeout=None)


def arrival_corrections() -> Corrections:
    """The learned corrections the planner applies (read once per plan); none until the first fit."""
    stored: Corrections | None = cache.get(CACHE_KEY)
    return stored if stored is not None else Corrections(bands={}, branches={})


def finished_journeys(*, since: datetime) -> list[Journey]:
    """Dispatches since `since` whose crew reported arriving: predicted journey vs the device's times."""
    events = TimelineEvent.objects.filter(
        kind=EventKind.DISPATCHED,
        at__gte=since,
        data__predicted_minutes__isnull=False,
        incident__on_site_at__isnull=False,
    ).values_list("at", "data", "incident__on_site_at")
    return [
        Journey(
            branch_id=data["branch_id"],
            depart_at=at,
            predicted=timedelta(minutes=data["predicted_minutes"]),
            actual=on_site_at - at,
        )
        for at, data, on_site_at in events
        if data.get("branch_id") is not None and on_site_at is not None
    ]


def arrival_corrections_fit(*, now: datetime | None = None, days: int = 90) -> Corrections:
    """The nightly fit: the last `days` of finished journeys, stored for the planner."""
    now = now or timezone.now()
    corrections = corrections_fit(finished_journeys(since=now - timedelta(days=days)))
    corrections_store(corrections)
    return corrections
