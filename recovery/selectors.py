"""Reads of the recovery engine: incidents, the replacement ranking, technician suggestions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from geopy.distance import geodesic, great_circle

from fleet.models import Branch, Customer, Machine, MachineCategory, MachineStatus, Technician
from fleet.selectors import category_with_substitutes
from recovery.eta import get_eta_provider
from recovery.models import OPEN_STATUSES, Incident, IncidentStatus, JobPhoto, TimelineEvent

# How many machines per category the database hands over; the ranking then needs only these.
CANDIDATES_PER_CATEGORY = 10
# How many of those, by straight-line travel time, get an exact (geodesic) ETA.
EXACT_ETA_MARGIN = 3

# PostgreSQL: one round trip, one KNN index scan per category (see fleet migration 0002).
NEAREST_AVAILABLE_SQL = """
SELECT c.preference, m.id, m.fleet_number, m.make, m.model, m.lat, m.lon, m.category_id,
       m.home_branch_id, earth_distance(ll_to_earth(m.lat, m.lon), ll_to_earth(%(lat)s, %(lon)s)) AS metres
FROM unnest(%(categories)s::bigint[]) WITH ORDINALITY AS c(category_id, preference)
CROSS JOIN LATERAL (
    SELECT id, fleet_number, make, model, lat, lon, category_id, home_branch_id
    FROM fleet_machine
    WHERE status = 'available' AND lat IS NOT NULL AND category_id = c.category_id
    ORDER BY ll_to_earth(lat, lon) <-> ll_to_earth(%(lat)s, %(lon)s)
    LIMIT %(per_category)s
) AS m
"""


@dataclass(frozen=True)
class Candidate:
    machine_id: int
    fleet_number: str
    make: str
    model: str
    lat: float
    lon: float
    category_id: int
    home_branch_id: int
    preference: int  # 0 = the broken machine's own category, then the substitutes' order
    approx_km: float


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
    eta_minutes: int
    eta_at: datetime


@dataclass(frozen=True)
class SuggestionList:
    suggestions: list[Suggestion]
    reason: str  # why the list is empty, or what was searched


def _nearest_candidates_postgres(
    *, category_ids: list[int], lat: float, lon: float, per_category: int
) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(
            NEAREST_AVAILABLE_SQL,
            {"categories": category_ids, "lat": lat, "lon": lon, "per_category": per_category},
        )
        rows = cursor.fetchall()
    return [
        Candidate(
            machine_id=row[1],
            fleet_number=row[2],
            make=row[3],
            model=row[4],
            lat=row[5],
            lon=row[6],
            category_id=row[7],
            home_branch_id=row[8],
            preference=row[0] - 1,
            approx_km=row[9] / 1000,
        )
        for row in rows
    ]


def _nearest_candidates_portable(
    *, category_ids: list[int], lat: float, lon: float, per_category: int, radius_km: float
) -> list[Candidate]:
    """Any database: a bounding box on the (category, lat, lon) index, ranked in Python.

    Used where PostgreSQL's earthdistance is missing (the SQLite demo); fine for small fleets."""
    from math import cos, radians

    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(cos(radians(lat)), 0.01))
    candidates = []
    for preference, category_id in enumerate(category_ids):
        rows = Machine.objects.filter(
            status=MachineStatus.AVAILABLE,
            category_id=category_id,
            lat__range=(lat - dlat, lat + dlat),
            lon__range=(lon - dlon, lon + dlon),
        ).values_list("id", "fleet_number", "make", "model", "lat", "lon", "category_id", "home_branch_id")
        ranked = sorted(
            (
                Candidate(*row, preference=preference, approx_km=great_circle((lat, lon), row[4:6]).km)
                for row in rows
            ),
            key=lambda c: c.approx_km,
        )
        candidates.extend(ranked[:per_category])
    return candidates


def nearest_available_machines(
    *, category_ids: list[int], lat: float, lon: float, per_category: int, radius_km: float
) -> list[Candidate]:
    """The few available machines of each category nearest to a point, straight from an index."""
    if connection.vendor == "postgresql":
        found = _nearest_candidates_postgres(
            category_ids=category_ids, lat=lat, lon=lon, per_category=per_category
        )
    else:
        found = _nearest_candidates_portable(
            category_ids=category_ids, lat=lat, lon=lon, per_category=per_category, radius_km=radius_km
        )
    return [c for c in found if c.approx_km <= radius_km]


def _branch_speeds() -> dict[int, tuple[str, float]]:
    return {
        b.id: (b.name, b.average_road_speed_kmh)
        for b in Branch.objects.only("name", "average_road_speed_kmh")
    }


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
    categories = category_with_substitutes(category=category)
    by_id = {cat.id: (cat, preference) for cat, preference in categories}

    candidates = [
        c
        for c in nearest_available_machines(
            category_ids=[cat.id for cat, _ in categories],
            lat=site[0],
            lon=site[1],
            per_category=CANDIDATES_PER_CATEGORY + len(exclude_machine_ids),
            radius_km=radius_km,
        )
        if c.machine_id not in exclude_machine_ids
    ]
    if not candidates:
        names = ", ".join(cat.name for cat, _ in categories)
        return SuggestionList([], f"No available machine ({names}) within {radius_km:.0f} km of the site.")

    speeds = _branch_speeds()
    default_speed = config["ETA_DEFAULT_SPEED_KMH"]

    def speed(c: Candidate) -> float:
        return speeds.get(c.home_branch_id, ("", default_speed))[1]

    # Straight-line travel time picks the few worth an exact estimate.
    shortlist = sorted(
        candidates, key=lambda c: c.approx_km / speed(c) + c.preference * penalty.seconds / 3600
    )
    shortlist = shortlist[: limit + EXACT_ETA_MARGIN]

    provider = get_eta_provider()
    ranked = []
    for c in shortlist:
        estimate = provider.estimate(
            origin=(c.lat, c.lon), destination=site, road_speed_kmh=speed(c), loading=True
        )
        ranked.append((estimate.duration + c.preference * penalty, c, estimate))
    ranked.sort(key=lambda item: (item[0], item[1].fleet_number))

    suggestions = []
    for _, c, estimate in ranked[:limit]:
        cat, preference = by_id[c.category_id]
        exact = preference == 0
        suggestions.append(
            Suggestion(
                machine_id=c.machine_id,
                fleet_number=c.fleet_number,
                make=c.make,
                model=c.model,
                category_code=cat.code,
                category_name=cat.name,
                match="exact" if exact else "substitute",
                substitute_preference=None if exact else preference,
                why=(
                    f"Same category: {cat.name}"
                    if exact
                    else f"Accepted substitute #{preference} for {category.name}: {cat.name}"
                ),
                branch_id=c.home_branch_id,
                branch_name=speeds.get(c.home_branch_id, ("", 0))[0],
                distance_km=round(estimate.distance_km, 1),
                eta_minutes=round(estimate.duration.total_seconds() / 60),
                eta_at=now + estimate.duration,
            )
        )
    return SuggestionList(suggestions, f"{len(candidates)} available machines within {radius_km:.0f} km.")


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


def technician_suggestions(
    *, category: MachineCategory, near: tuple[float, float], limit: int = 3
) -> list[TechnicianSuggestion]:
    """On-shift technicians who know this category, free ones first, then the nearest."""
    technicians = (
        Technician.objects.filter(on_shift=True, skills=category, lat__isnull=False)
        .select_related("user", "home_branch")
        .annotate(open_jobs=Count("incidents", filter=Q(incidents__status__in=OPEN_STATUSES)))
    )
    ranked = sorted(
        (
            TechnicianSuggestion(
                technician_id=t.id,
                name=str(t),
                branch_name=t.home_branch.name,
                distance_km=round(geodesic((t.lat, t.lon), near).km, 1),
                busy=t.open_jobs > 0,
            )
            for t in technicians
        ),
        key=lambda s: (s.busy, s.distance_km),
    )
    return ranked[:limit]


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
