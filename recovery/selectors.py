"""Reads of the recovery engine: incidents, the replacement ranking, technician suggestions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone
from geopy.distance import geodesic, great_circle

from fleet.models import Customer, Machine, MachineCategory, MachineStatus, Technician
from fleet.selectors import category_with_substitutes
from recovery.models import OPEN_STATUSES, Incident, IncidentStatus, JobPhoto, TimelineEvent
from recovery.planning import DispatchPlan, MachineAtYard, crews_on_shift, plan_replacements

# How many candidates, by straight-line travel time, the dispatch plan weighs beyond those shown:
# a machine a little farther whose yard has a crew at hand can still arrive first.
EXACT_ETA_MARGIN = 5
# One instance: geopy builds the ellipsoid's coefficients per instance.
_GEODESIC = geodesic()
# How many machines per category the index hands over, nearest first. The ranking is by travel
# time and depots drive at different speeds, so among these a farther machine can still win; a
# machine beyond the nearest 12 of its category is not considered. Measured at 1M machines:
# 6 rows per category cost 2.6 ms p50, 12 rows 2.8 ms, 30 rows 3.5 ms (see bench/nearest.py).
CANDIDATES_PER_CATEGORY = 12

# PostgreSQL: one round trip. The accepted categories (the broken one, then its substitutes in
# the customer's order) each get one KNN scan of the partial index (see fleet migration 0002).
NEAREST_AVAILABLE_SQL = """
WITH accepted AS (
    SELECT %(category)s::bigint AS category_id, 0 AS preference
    UNION ALL
    SELECT substitute_id, preference FROM fleet_categorysubstitute WHERE category_id = %(category)s
)
SELECT c.preference, m.id, m.fleet_number, m.make, m.model, m.lat, m.lon,
       mc.code, mc.name, m.home_branch_id, b.name, b.average_road_speed_kmh,
       earth_distance(ll_to_earth(m.lat, m.lon), ll_to_earth(%(lat)s, %(lon)s)) / 1000.0 AS km
FROM accepted AS c
CROSS JOIN LATERAL (
    SELECT id, fleet_number, make, model, lat, lon, home_branch_id
    FROM fleet_machine
    WHERE status = 'available' AND lat IS NOT NULL AND category_id = c.category_id
    ORDER BY ll_to_earth(lat, lon) <-> ll_to_earth(%(lat)s, %(lon)s)
    LIMIT %(per_category)s
) AS m
JOIN fleet_machinecategory mc ON mc.id = c.category_id
JOIN fleet_branch b ON b.id = m.home_branch_id
"""


class Candidate(NamedTuple):
    """A row from the index; a tuple because dozens are built per search and few survive."""

    preference: int  # 0 = the broken machine's own category, then the substitutes' order
    machine_id: int
    fleet_number: str
    make: str
    model: str
    lat: float
    lon: float
    category_code: str
    category_name: str
    branch_id: int
    branch_name: str
    road_speed_kmh: float
    approx_km: float  # great-circle on a sphere: good to ~0.5 %, enough to shortlist


@dataclass(frozen=True)
class Suggestion:
    machine_id: int
    fleet_number: str
    make: str
    model: str
    category_code: str
    category_name: str
    match: str  # "exact" or "substitute"
    substitute_preference: int | None
    why: str
    branch_id: int
    branch_name: str
    distance_km: float
    eta_minutes: int  # to the promised arrival
    eta_at: datetime  # the promised arrival: what the customer would be texted
    plan: DispatchPlan  # the crew, each leg, expected and promised arrival, the travel times' source


@dataclass(frozen=True)
class SuggestionList:
    suggestions: list[Suggestion]
    reason: str  # why the list is empty, or what was searched


def _nearest_candidates_postgres(
    *, category: MachineCategory, lat: float, lon: float, per_category: int
) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(
            NEAREST_AVAILABLE_SQL,
            {"category": category.id, "lat": lat, "lon": lon, "per_category": per_category},
        )
        return list(map(Candidate._make, cursor.fetchall()))


def _nearest_candidates_portable(
    *, category: MachineCategory, lat: float, lon: float, per_category: int, radius_km: float
) -> list[Candidate]:
    """Any database: a bounding box on the (category, lat, lon) index, ranked in Python.

    Used where PostgreSQL's earthdistance is missing (the SQLite demo); fine for small fleets."""
    from math import cos, radians

    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(cos(radians(lat)), 0.01))
    candidates = []
    for accepted, preference in category_with_substitutes(category=category):
        rows = Machine.objects.filter(
            status=MachineStatus.AVAILABLE,
            category=accepted,
            lat__range=(lat - dlat, lat + dlat),
            lon__range=(lon - dlon, lon + dlon),
        ).values_list(
            "id",
            "fleet_number",
            "make",
            "model",
            "lat",
            "lon",
            "category__code",
            "category__name",
            "home_branch_id",
            "home_branch__name",
            "home_branch__average_road_speed_kmh",
        )
        ranked = sorted(
            (Candidate(preference, *row, approx_km=great_circle((lat, lon), row[4:6]).km) for row in rows),
            key=lambda c: c.approx_km,
        )
        candidates.extend(ranked[:per_category])
    return candidates


def nearest_available_machines(
    *, category: MachineCategory, lat: float, lon: float, per_category: int, radius_km: float
) -> list[Candidate]:
    """The `per_category` available machines of each accepted category nearest to a point."""
    if connection.vendor == "postgresql":
        return _nearest_candidates_postgres(category=category, lat=lat, lon=lon, per_category=per_category)
    return _nearest_candidates_portable(
        category=category, lat=lat, lon=lon, per_category=per_category, radius_km=radius_km
    )


def _shortlist(
    *,
    category: MachineCategory,
    site: tuple[float, float],
    wanted: int,
    exclude_machine_ids: frozenset[int],
    radius_km: float,
    penalty_hours: float,
) -> list[Candidate]:
    """The `wanted` candidates with the best straight-line travel time: the ones worth an exact ETA."""
    circuity = settings.PRONTO["ETA_ROAD_CIRCUITY"]
    found = nearest_available_machines(
        category=category,
        lat=site[0],
        lon=site[1],
        per_category=CANDIDATES_PER_CATEGORY + len(exclude_machine_ids),
        radius_km=radius_km,
    )
    usable = (c for c in found if c.approx_km <= radius_km and c.machine_id not in exclude_machine_ids)
    return sorted(
        usable, key=lambda c: c.approx_km * circuity / c.road_speed_kmh + c.preference * penalty_hours
    )[:wanted]


def replacement_suggestions(
    *,
    category: MachineCategory,
    site: tuple[float, float],
    limit: int | None = None,
    exclude_machine_ids: frozenset[int] = frozenset(),
    now: datetime | None = None,
) -> SuggestionList:
    """The replacement ranking — the one place it is decided.

    Candidates are available machines of the category, then of its accepted substitutes.
    They are ranked by ETA to the site; a substitute must arrive SUBSTITUTE_PENALTY_MINUTES
    sooner per step down the customer's preference list to outrank the exact category."""
    config = settings.PRONTO
    limit = limit or config["SUGGESTION_COUNT"]
    radius_km = config["SUGGESTION_RADIUS_KM"]
    penalty = timedelta(minutes=config["SUBSTITUTE_PENALTY_MINUTES"])
    now = now or timezone.now()

    shortlist = _shortlist(
        category=category,
        site=site,
        wanted=limit + EXACT_ETA_MARGIN,
        exclude_machine_ids=exclude_machine_ids,
        radius_km=radius_km,
        penalty_hours=penalty.total_seconds() / 3600,
    )
    if not shortlist:
        names = ", ".join(cat.name for cat, _ in category_with_substitutes(category=category))
        return SuggestionList([], f"No available machine ({names}) within {radius_km:.0f} km of the site.")

    machines = [
        MachineAtYard(
            machine_id=c.machine_id,
            category_code=c.category_code,
            position=(c.lat, c.lon),
            branch_id=c.branch_id,
            road_speed_kmh=c.road_speed_kmh,
            preference=c.preference,
        )
        for c in shortlist
    ]
    crews = crews_on_shift(category_codes={c.category_code for c in shortlist}, near=site)
    plans = plan_replacements(site=site, machines=machines, crews=crews, at=now)
    ranked = sorted(
        shortlist,
        key=lambda c: (plans[c.machine_id].expected_arrival + c.preference * penalty, c.fleet_number),
    )

    suggestions = []
    for c in ranked[:limit]:
        exact = c.preference == 0
        plan = plans[c.machine_id]
        suggestions.append(
            Suggestion(
                machine_id=c.machine_id,
                fleet_number=c.fleet_number,
                make=c.make,
                model=c.model,
                category_code=c.category_code,
                category_name=c.category_name,
                match="exact" if exact else "substitute",
                substitute_preference=None if exact else c.preference,
                why=(
                    f"Same category: {c.category_name}"
                    if exact
                    else f"Accepted substitute #{c.preference} for {category.name}: {c.category_name}"
                ),
                branch_id=c.branch_id,
                branch_name=c.branch_name,
                distance_km=round(_GEODESIC.measure((c.lat, c.lon), site), 1),
                eta_minutes=round((plan.promised_arrival - now).total_seconds() / 60),
                eta_at=plan.promised_arrival,
                plan=plan,
            )
        )
    return SuggestionList(
        suggestions, f"Available machines within {radius_km:.0f} km of the site, soonest first."
    )


def incident_replacement_suggestions(
    *, incident: Incident, limit: int | None = None, now: datetime | None = None
) -> SuggestionList:
    return replacement_suggestions(
        category=incident.broken_machine.category,
        site=(incident.site_lat, incident.site_lon),
        limit=limit,
        now=now,
    )


@dataclass(frozen=True)
class TechnicianSuggestion:
    technician_id: int
    name: str
    branch_name: str
    distance_km: float
    busy: bool


def _earth_metres(lat: str, lon: str, point: tuple[float, float]) -> Func:
    """Straight-line metres on the sphere (PostgreSQL's earthdistance), to rank in the database."""
    here = Func(F(lat), F(lon), function="ll_to_earth")
    there = Func(Value(point[0]), Value(point[1]), function="ll_to_earth")
    return Func(here, there, function="earth_distance", output_field=FloatField())


def technician_suggestions(
    *, category: MachineCategory, near: tuple[float, float], limit: int = 3
) -> list[TechnicianSuggestion]:
    """On-shift technicians who know this category, free ones first, then the nearest: the dispatch
    plan's own crew selection (recovery.planning.crews_on_shift), listed for a repair visit."""
    crews = crews_on_shift(category_codes=[category.code], near=near, limit=limit)
    suggestions = [
        TechnicianSuggestion(
            technician_id=crew.technician_id,
            name=crew.name,
            branch_name=crew.branch_name,
            distance_km=round(_GEODESIC.measure(crew.position, near), 1),
            busy=crew.busy,
        )
        for crew in crews
    ]
    return sorted(suggestions, key=lambda s: (s.busy, s.distance_km))[:limit]


def incident_for_replacement() -> QuerySet[Incident]:
    """An incident with what the replacement search reads: two joins rather than incident_list's nine."""
    return Incident.objects.select_related("broken_machine__category")


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related(
        "rental__customer",
        "rental__branch",
        "broken_machine__category",
        "replacement_machine__category",
        "technician__user",
    )


def open_incidents() -> QuerySet[Incident]:
    """Most urgent first: the least SLA time left."""
    return incident_list().filter(status__in=OPEN_STATUSES).order_by("sla_due_at")


def open_incident_for_customer(*, customer: Customer) -> Incident | None:
    return (
        incident_list()
        .filter(rental__customer=customer, status__in=OPEN_STATUSES)
        .order_by("-reported_at")
        .first()
    )


def latest_incident_for_customer(*, customer: Customer) -> Incident | None:
    return incident_list().filter(rental__customer=customer).order_by("-reported_at").first()


def incident_timeline(*, incident: Incident) -> QuerySet[TimelineEvent]:
    return incident.timeline.select_related("actor").order_by("at", "id")


def incidents_at_risk(*, now: datetime, warning: timedelta) -> QuerySet[Incident]:
    """Open incidents whose SLA ends within `warning` and that nobody has flagged yet."""
    return Incident.objects.filter(
        status__in=OPEN_STATUSES, sla_due_at__lte=now + warning, sla_at_risk_since__isnull=True
    )


def recovered_incidents_for_customer(*, customer: Customer) -> QuerySet[Incident]:
    return Incident.objects.filter(
        rental__customer=customer,
        status__in=(IncidentStatus.RECOVERED, IncidentStatus.CLOSED),
        time_to_recovery__isnull=False,
    )


def open_incident_counts_by_status() -> dict[str, int]:
    """Open incidents per status, every open status present (0 when none)."""
    counts = dict(
        Incident.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {status: counts.get(status, 0) for status in OPEN_STATUSES}


@dataclass(frozen=True)
class RecoveryHistogram:
    buckets: list[tuple[float, int]]  # (upper bound in minutes, incidents at or under it), cumulative
    count: int
    sum_minutes: float


def time_to_recovery_histogram(*, bucket_minutes: tuple[int, ...]) -> RecoveryHistogram:
    """The stored time to recovery of every recovered incident, in cumulative buckets; one query."""
    measured = Incident.objects.filter(time_to_recovery__isnull=False)
    aggregates = {
        f"le_{minutes}": Count("id", filter=Q(time_to_recovery__lte=timedelta(minutes=minutes)))
        for minutes in bucket_minutes
    }
    row = measured.aggregate(total=Count("id"), duration=Sum("time_to_recovery"), **aggregates)
    duration = row["duration"] or timedelta(0)
    return RecoveryHistogram(
        buckets=[(float(minutes), row[f"le_{minutes}"]) for minutes in bucket_minutes],
        count=row["total"],
        sum_minutes=duration.total_seconds() / 60,
    )


class JobScope:
    """The technician's lists: the job in hand, the queue behind it, what they finished lately."""

    CURRENT = "current"
    UPCOMING = "upcoming"
    RECENT = "recent"
    ALL = (CURRENT, UPCOMING, RECENT)


def technician_jobs(
    *, technician: Technician, scope: str, now: datetime | None = None, recent_days: int | None = None
) -> QuerySet[Incident]:
    """Jobs assigned to the technician. Current and upcoming together are all their open jobs."""
    jobs = incident_list().select_related("replacement_machine__home_branch").filter(technician=technician)
    if scope == JobScope.CURRENT:
        return jobs.filter(status__in=(IncidentStatus.EN_ROUTE, IncidentStatus.ON_SITE)).order_by(
            "sla_due_at", "id"
        )
    if scope == JobScope.UPCOMING:
        return jobs.filter(status=IncidentStatus.DISPATCHED).order_by("sla_due_at", "id")
    now = now or timezone.now()
    days = recent_days or settings.PRONTO["TECHNICIAN_RECENT_DAYS"]
    return jobs.filter(
        status__in=(IncidentStatus.RECOVERED, IncidentStatus.CLOSED),
        recovered_at__gte=now - timedelta(days=days),
    ).order_by("-recovered_at", "-id")


def technician_job(*, technician: Technician, pk: int) -> Incident | None:
    """One of the technician's jobs, in any state, or None: other jobs do not exist for them."""
    return (
        incident_list()
        .select_related("replacement_machine__home_branch")
        .filter(technician=technician, pk=pk)
        .first()
    )


def technician_jobs_en_route(*, technician: Technician) -> QuerySet[Incident]:
    return (
        incident_list()
        .select_related("replacement_machine__home_branch")
        .filter(technician=technician, status=IncidentStatus.EN_ROUTE)
    )


def job_photos(*, incident: Incident) -> QuerySet[JobPhoto]:
    return incident.photos.order_by("taken_at", "id")
