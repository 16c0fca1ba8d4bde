"""Loyalty figures for managers: recovery speed, promises kept and NPS, read from the metrics stored
on each incident when it was recovered (never recomputed from the timeline). The console's loyalty
page and its CSV export both read from here."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from recovery.figures import RecoverySummary, recovered_incidents, recovery_summary_of
from recovery.models import CustomerRecoveryRecord, FollowUp, FollowUpStatus, NpsCategory, SurveyResponse


@dataclass(frozen=True)
class Period:
    label: str
    since: datetime
    until: datetime


@dataclass(frozen=True)
class NpsSummary:
    responses: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        """Net Promoter Score: % promoters minus % detractors, from -100 to 100."""
        if not self.responses:
            return None
        return round(100 * (self.promoters - self.detractors) / self.responses)


@dataclass(frozen=True)
class WeekPoint:
    week_start: datetime
    recoveries: int
    median_time_to_recovery: timedelta | None
    sla_met_pct: float | None
    nps: int | None


@dataclass(frozen=True)
class BreakdownRow:
    name: str
    recoveries: int
    median_time_to_recovery: timedelta | None
    sla_met_pct: float | None
    promises_kept_pct: float | None


def this_week(*, now: datetime | None = None) -> Period:
    """Monday 00:00 local time to now: the week as the branch managers count it."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=local.weekday())
    return Period("week", start, local)


def this_month(*, now: datetime | None = None) -> Period:
    local = timezone.localtime(now or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Period("month", start, local)


def recovery_summary(*, since: datetime | None = None, until: datetime | None = None) -> RecoverySummary:
    return recovery_summary_of(recovered_incidents(since=since, until=until))


def nps_summary(*, since: datetime | None = None, until: datetime | None = None) -> NpsSummary:
    queryset = SurveyResponse.objects.all()
    if since is not None:
        queryset = queryset.filter(answered_at__gte=since)
    if until is not None:
        queryset = queryset.filter(answered_at__lt=until)
    counts = queryset.aggregate(
        responses=Count("id"),
        promoters=Count("id", filter=Q(category=NpsCategory.PROMOTER)),
        passives=Count("id", filter=Q(category=NpsCategory.PASSIVE)),
        detractors=Count("id", filter=Q(category=NpsCategory.DETRACTOR)),
    )
    return NpsSummary(**counts)


def weekly_trend(*, weeks: int = 8, now: datetime | None = None) -> list[WeekPoint]:
    """One point per week, oldest first, ending with the current week."""
    current = this_week(now=now).since
    points = []
    for back in range(weeks - 1, -1, -1):
        start = current - timedelta(weeks=back)
        end = start + timedelta(weeks=1)
        summary = recovery_summary(since=start, until=end)
        points.append(
            WeekPoint(
                week_start=start,
                recoveries=summary.recoveries,
                median_time_to_recovery=summary.median_time_to_recovery,
                sla_met_pct=summary.sla_met_pct,
                nps=nps_summary(since=start, until=end).score,
            )
        )
    return points


def _breakdown(group_by: str, *, since: datetime | None, until: datetime | None) -> list[BreakdownRow]:
    queryset = recovered_incidents(since=since, until=until)
    names = queryset.values_list(group_by, flat=True).distinct().order_by(group_by)
    rows = []
    for name in names:
        summary = recovery_summary_of(queryset.filter(**{group_by: name}))
        rows.append(
            BreakdownRow(
                name=name,
                recoveries=summary.recoveries,
                median_time_to_recovery=summary.median_time_to_recovery,
                sla_met_pct=summary.sla_met_pct,
                promises_kept_pct=summary.promises_kept_pct,
            )
        )
    return rows


def breakdown_by_branch(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[BreakdownRow]:
    return _breakdown("rental__branch__name", since=since, until=until)


def breakdown_by_category(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[BreakdownRow]:
    return _breakdown("broken_machine__category__name", since=since, until=until)


def worst_customers(*, limit: int = 5) -> QuerySet[CustomerRecoveryRecord]:
    """The customers we let down most: lowest SLA met rate, then the slowest median recovery."""
    return (
        CustomerRecoveryRecord.objects.filter(recoveries__gt=0)
        .select_related("customer")
        .order_by("sla_met_pct", "-median_time_to_recovery", "customer__company")[:limit]
    )


def follow_up_queue() -> QuerySet[FollowUp]:
    """Detractors waiting for a manager's call, oldest first."""
    return (
        FollowUp.objects.filter(status=FollowUpStatus.OPEN)
        .select_related(
            "incident__rental__customer",
            "incident__survey_response",
            "incident__broken_machine",
            "assigned_to",
        )
        .order_by("opened_at")
    )


CSV_COLUMNS = [
    "incident",
    "customer",
    "branch",
    "category",
    "broken_machine",
    "replacement_machine",
    "outcome",
    "reported_at",
    "recovered_at",
    "time_to_dispatch_min",
    "time_to_arrival_min",
    "time_to_recovery_min",
    "eta_error_min",
    "promise_kept",
    "sla_met",
    "nps_score",
]


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def incident_metrics_rows(
    *, since: datetime | None = None, until: datetime | None = None
) -> Iterator[list[str]]:
    """The stored per-incident metrics as CSV rows (header first), minutes with one decimal."""
    yield CSV_COLUMNS
    queryset = (
        recovered_incidents(since=since, until=until)
        .select_related(
            "rental__customer",
            "rental__branch",
            "broken_machine__category",
            "replacement_machine",
            "survey_response",
        )
        .order_by("recovered_at", "id")
    )
    for incident in queryset.iterator(chunk_size=500):
        survey = getattr(incident, "survey_response", None)
        yield [
            str(incident.pk),
            incident.rental.customer.company,
            incident.rental.branch.name,
            incident.broken_machine.category.name,
            incident.broken_machine.fleet_number,
            incident.replacement_machine.fleet_number if incident.replacement_machine else "",
            incident.outcome,
            timezone.localtime(incident.reported_at).isoformat(),
            timezone.localtime(incident.recovered_at).isoformat(),
            _minutes(incident.time_to_dispatch),
            _minutes(incident.time_to_arrival),
            _minutes(incident.time_to_recovery),
            _minutes(incident.eta_error),
            _flag(incident.promise_kept),
            _flag(incident.sla_met),
            "" if survey is None else str(survey.score),
        ]
