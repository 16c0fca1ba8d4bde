"""Recovery figures, computed in one place: the per-incident metrics stored at recovery, the NPS
category of a survey answer, and the summary (count, median, p90, SLA met %, promises kept %) that
the customer's record and the loyalty page both show, so the two can never disagree."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    F,
    FloatField,
    Func,
    QuerySet,
    Value,
    When,
)

from recovery.models import Incident, IncidentStatus, NpsCategory

RECOVERED_STATUSES = (IncidentStatus.RECOVERED, IncidentStatus.CLOSED)


def recovery_metrics(incident: Incident, *, grace: timedelta) -> dict[str, Any]:
    """Recovery speed as the customer lived it; stored on the incident once it is recovered.

    The SLA is judged against the deadline fixed when the breakdown was logged (`sla_due_at`), so a
    later change to the rental's SLA hours never rewrites what was met."""
    assert incident.recovered_at is not None
    to_recovery = incident.recovered_at - incident.reported_at
    metrics: dict[str, Any] = {
        "time_to_dispatch": incident.dispatched_at - incident.reported_at if incident.dispatched_at else None,
        "time_to_arrival": incident.on_site_at - incident.reported_at if incident.on_site_at else None,
        "time_to_recovery": to_recovery,
        "eta_error": None,
        "promise_kept": None,
        "sla_met": incident.recovered_at <= incident.sla_due_at,
    }
    if incident.first_promised_eta and incident.on_site_at:
        metrics["eta_error"] = incident.on_site_at - incident.first_promised_eta
        metrics["promise_kept"] = incident.on_site_at <= incident.first_promised_eta + grace
    return metrics


def nps_category(score: int) -> str:
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the interpolated percentile, computed where the rows are."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: str, *, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class RecoverySummary:
    recoveries: int
    median_time_to_recovery: timedelta | None
    p90_time_to_recovery: timedelta | None
    sla_met_pct: float | None
    promises_kept_pct: float | None


def recovered_incidents(
    *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Incident]:
    """Incidents whose customer runs again, with their stored metrics, by when they recovered."""
    queryset = Incident.objects.filter(status__in=RECOVERED_STATUSES, time_to_recovery__isnull=False)
    if since is not None:
        queryset = queryset.filter(recovered_at__gte=since)
    if until is not None:
        queryset = queryset.filter(recovered_at__lt=until)
    return queryset


def _percentiles(queryset: QuerySet[Incident]) -> tuple[timedelta | None, timedelta | None]:
    if connection.vendor == "postgresql":
        row = queryset.aggregate(
            median=PercentileCont("time_to_recovery", fraction=0.5),
            p90=PercentileCont("time_to_recovery", fraction=0.9),
        )
        return row["median"], row["p90"]
    # SQLite (the laptop demo) has no percentile_cont: interpolate the same way in Python.
    values = sorted(v for v in queryset.values_list("time_to_recovery", flat=True) if v is not None)
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    seconds = [v.total_seconds() for v in values]
    quantiles = statistics.quantiles(seconds, n=10, method="inclusive")
    return timedelta(seconds=statistics.median(seconds)), timedelta(seconds=quantiles[8])


def _pct(field: str) -> Avg:
    # Booleans averaged as 100/0: NULL (no promise made) stays out of the denominator.
    return Avg(
        Case(When(**{field: True}, then=Value(100.0)), When(**{field: False}, then=Value(0.0))),
        output_field=FloatField(),
    )


def _summary_aggregates() -> dict[str, Aggregate]:
    """The summary's figures as SQL aggregates: one statement for a whole summary, or for a summary
    per group, so the loyalty page costs a fixed number of queries whatever the history."""
    return {
        "recoveries": Count("id"),
        "sla_met_pct": _pct("sla_met"),
        "promises_kept_pct": _pct("promise_kept"),
        "median": PercentileCont("time_to_recovery", fraction=0.5),
        "p90": PercentileCont("time_to_recovery", fraction=0.9),
    }


def _summary(row: dict[str, Any]) -> RecoverySummary:
    return RecoverySummary(
        recoveries=row["recoveries"],
        median_time_to_recovery=row["median"],
        p90_time_to_recovery=row["p90"],
        sla_met_pct=row["sla_met_pct"],
        promises_kept_pct=row["promises_kept_pct"],
    )


def recovery_summary_of(queryset: QuerySet[Incident]) -> RecoverySummary:
    """The summary of some recovered incidents (see `recovered_incidents`), percentages 0-100."""
    if connection.vendor == "postgresql":
        return _summary(queryset.aggregate(**_summary_aggregates()))
    counts = queryset.aggregate(
        recoveries=Count("id"), sla_met_pct=_pct("sla_met"), promises_kept_pct=_pct("promise_kept")
    )
    median, p90 = _percentiles(queryset)
    return _summary({**counts, "median": median, "p90": p90})


def recovery_summaries_by(queryset: QuerySet[Incident], *, key: str | Func) -> dict[Any, RecoverySummary]:
    """The same summary for each value of `key` (a field path or an expression), in one query on
    PostgreSQL; ordered by key."""
    if connection.vendor == "postgresql":
        rows = queryset.values(group=F(key) if isinstance(key, str) else key).annotate(
            **_summary_aggregates()
        )
        grouped = cast(Iterable[dict[str, Any]], rows.order_by("group"))
        return {row["group"]: _summary(row) for row in grouped}
    # SQLite (the laptop demo, a small history): one summary per group.
    keyed = queryset.annotate(group=F(key) if isinstance(key, str) else key)
    groups = keyed.values_list("group", flat=True).distinct().order_by("group")
    return {group: recovery_summary_of(keyed.filter(group=group)) for group in groups}
