"""The dispatch plan: which machine, which crew, and when they will really be on site.

The one place an arrival time is worked out. For each candidate machine the journey is the whole
trip: the crew from where they are (their last ping since they went on shift, else their branch)
to the machine's yard, preparation and loading, then the yard to the job site; a repair visit is
the crew straight to the site. Travel times come from the routing provider in one matrix call for
every crew and yard at once, so thirty candidates cost one request. The learnt correction for the
branch and hour (recovery.learning) turns the travel time into the expected arrival and the
promise we text. The suggestions API, the console, dispatch and the live ETA all call here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, FloatField, Func, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop
from geopy.distance import great_circle

from fleet.models import Technician
from recovery.jobs import technician_open_jobs
from recovery.learning import Correction, correction_for, corrections_for
from recovery.models import Incident
from routing.providers import Leg, Point, TravelMatrix, TravelSource, get_routing_provider

# Leg names are stored on the incident's plan in English and translated where they are shown.
CREW_LEG = gettext_noop("crew to the yard")
PREPARATION_LEG = gettext_noop("preparation and loading")
DELIVERY_LEG = gettext_noop("yard to the site")
REPAIR_LEG = gettext_noop("crew to the site")
LIVE_LEG = gettext_noop("to the site")


@dataclass(frozen=True)
class Crew:
    technician_id: int
    name: str
    first_name: str
    branch_id: int
    branch_name: str
    position: Point
    # True when the position is the branch (no ping since the shift began), not a live one.
    at_branch: bool
    busy: bool
    skills: frozenset[str] = field(default_factory=frozenset)  # category codes


@dataclass(frozen=True)
class MachineAtYard:
    """What the plan needs of a candidate machine (a selectors.Candidate, or the machine chosen)."""

    machine_id: int
    category_code: str
    position: Point
    branch_id: int
    road_speed_kmh: float
    preference: int = 0


@dataclass(frozen=True)
class PlanLeg:
    name: str
    minutes: float
    distance_km: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "minutes": round(self.minutes, 1), "distance_km": self.distance_km}


@dataclass(frozen=True)
class DispatchPlan:
    machine_id: int | None
    crew: Crew | None
    legs: list[PlanLeg]
    travel: timedelta  # dispatch to arrival, before the learnt correction
    expected_arrival: datetime
    promised_arrival: datetime
    source: TravelSource
    source_note: str
    correction: Correction
    branch_id: int  # whose history corrects this trip
    site_distance_km: float  # machine (or crew, on a repair) to the site, by road or straight line

    def as_record(self) -> dict[str, object]:
        """What is kept on the incident at dispatch, and what the journey is later judged against."""
        return {
            "machine_id": self.machine_id,
            "technician_id": self.crew.technician_id if self.crew else None,
            "crew_from": "branch" if self.crew and self.crew.at_branch else "last position",
            "legs": [leg.as_dict() for leg in self.legs],
            "travel_seconds": round(self.travel.total_seconds()),
            "expected_arrival": self.expected_arrival.isoformat(),
            "promised_arrival": self.promised_arrival.isoformat(),
            "source": str(self.source),
            "source_note": self.source_note,
            "correction": self.correction.basis,
            "branch_id": self.branch_id,
        }


def _preparation() -> timedelta:
    return timedelta(minutes=settings.PRONTO["ETA_PREPARATION_MINUTES"])


def _earth_metres(point: Point) -> Func:
    """Sphere metres from the crew's position (their branch when they have not pinged) to `point`."""
    lat = Coalesce(F("lat"), F("home_branch__lat"))
    lon = Coalesce(F("lon"), F("home_branch__lon"))
    here = Func(lat, lon, function="ll_to_earth")
    there = Func(Value(point[0]), Value(point[1]), function="ll_to_earth")
    return Func(here, there, function="earth_distance", output_field=FloatField())


def crews_on_shift(*, category_codes: Iterable[str], near: Point, limit: int | None = None) -> list[Crew]:
    """On-shift crews who know any of these categories, free ones first, then the nearest to `near`."""
    limit = limit or settings.PRONTO["PLAN_CREWS"]
    codes = sorted(set(category_codes))
    crews = (
        Technician.objects.filter(on_shift=True, skills__code__in=codes)
        .distinct()
        .annotate(open_jobs=technician_open_jobs())
    )
    columns = (
        "id",
        "user__first_name",
        "user__last_name",
        "user__username",
        "home_branch_id",
        "home_branch__name",
        "home_branch__lat",
        "home_branch__lon",
        "lat",
        "lon",
        "position_updated_at",
        "shift_changed_at",
        "open_jobs",
    )
    if connection.vendor == "postgresql":
        rows = list(
            crews.annotate(metres=_earth_metres(near))
            .order_by("open_jobs", "metres", "id")
            .values_list(*columns)
        )
    else:  # the SQLite demo: a few crews, ranked here
        rows = sorted(
            crews.values_list(*columns),
            key=lambda r: (r[12], great_circle((r[8] or r[6], r[9] or r[7]), near).km, r[0]),
        )
    # Per category, the nearest `limit` free crews (busy ones only where no free crew knows it).
    chosen_ids: list[int] = []
    skills = _skills_of([r[0] for r in rows])
    for code in codes:
        knowing = [r for r in rows if code in skills.get(r[0], ())]
        free = [r for r in knowing if not r[12]] or knowing
        chosen_ids += [r[0] for r in free[:limit] if r[0] not in chosen_ids]
    by_id = {r[0]: r for r in rows}
    return [_crew(by_id[pk], skills.get(pk, frozenset())) for pk in chosen_ids]


def _skills_of(technician_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    through = Technician.skills.through
    pairs = through.objects.filter(technician_id__in=technician_ids).values_list(
        "technician_id", "machinecategory__code"
    )
    found: dict[int, set[str]] = {}
    for technician_id, code in pairs:
        found.setdefault(technician_id, set()).add(code)
    return {pk: frozenset(codes) for pk, codes in found.items()}


def _crew(row: tuple, skills: frozenset[str]) -> Crew:
    (
        pk,
        first,
        last,
        username,
        branch_id,
        branch_name,
        branch_lat,
        branch_lon,
        lat,
        lon,
        pinged,
        shift,
        jobs,
    ) = row
    # A ping from before this shift began says where they were yesterday: use the branch.
    live = lat is not None and lon is not None and pinged is not None and (shift is None or pinged >= shift)
    return Crew(
        technician_id=pk,
        name=f"{first} {last}".strip() or username,
        first_name=first or username,
        branch_id=branch_id,
        branch_name=branch_name,
        position=(lat, lon) if live else (branch_lat, branch_lon),
        at_branch=not live,
        busy=bool(jobs),
        skills=skills,
    )


def crew_of(technician: Technician) -> Crew:
    """A chosen technician as the plan sees them (the dispatcher's override)."""
    row = (
        Technician.objects.filter(pk=technician.pk)
        .annotate(open_jobs=technician_open_jobs())
        .values_list(
            "id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "home_branch_id",
            "home_branch__name",
            "home_branch__lat",
            "home_branch__lon",
            "lat",
            "lon",
            "position_updated_at",
            "shift_changed_at",
            "open_jobs",
        )
        .get()
    )
    return _crew(row, _skills_of([technician.pk]).get(technician.pk, frozenset()))


def _unique(points: Iterable[Point]) -> list[Point]:
    return list(dict.fromkeys((round(lat, 6), round(lon, 6)) for lat, lon in points))


def plan_replacements(
    *, site: Point, machines: Sequence[MachineAtYard], crews: Sequence[Crew], at: datetime
) -> dict[int, DispatchPlan]:
    """For every machine, the plan with the crew that gets it to the site first (one matrix call)."""
    if not machines:
        return {}
    yards = _unique(m.position for m in machines)
    crew_points = _unique(c.position for c in crews)
    speed = settings.PRONTO["ETA_DEFAULT_SPEED_KMH"]
    yard_speed = {(round(m.position[0], 6), round(m.position[1], 6)): m.road_speed_kmh for m in machines}
    # Origins: crews (driving a van), then yards (a truck with the machine on the trailer).
    # Destinations: the yards, then the site.
    matrix = get_routing_provider().travel_times(
        origins=[*crew_points, *yards],
        destinations=[*yards, site],
        depart_at=at,
        origin_speeds_kmh=[*([speed] * len(crew_points)), *(yard_speed[y] for y in yards)],
        # Durations only: half the routing engine's work; the legs' km are as the crow flies.
        distances=False,
    )
    site_column = len(yards)
    corrections = corrections_for(branch_ids={m.branch_id for m in machines}, at=at)
    plans: dict[int, DispatchPlan] = {}
    for machine in machines:
        yard = yards.index((round(machine.position[0], 6), round(machine.position[1], 6)))
        delivery = matrix.leg(len(crew_points) + yard, site_column)
        best: DispatchPlan | None = None
        for crew in crews:
            if machine.category_code not in crew.skills:
                continue
            to_yard = matrix.leg(
                crew_points.index((round(crew.position[0], 6), round(crew.position[1], 6))), yard
            )
            plan = _plan(machine, crew, to_yard.duration, site, delivery, matrix, corrections, at)
            if best is None or (plan.expected_arrival, crew.technician_id) < (
                best.expected_arrival,
                best.crew.technician_id if best.crew else 0,
            ):
                best = plan
        plans[machine.machine_id] = best or _plan(
            machine, None, None, site, delivery, matrix, corrections, at
        )
    return plans


def _crow_km(a: Point, b: Point) -> float:
    return round(great_circle(a, b).km, 1)


def _plan(
    machine: MachineAtYard,
    crew: Crew | None,
    to_yard: timedelta | None,
    site: Point,
    delivery: Leg,
    matrix: TravelMatrix,
    corrections: dict[int, Correction],
    at: datetime,
) -> DispatchPlan:
    """One machine's plan with one crew (or none). The legs' km are as the crow flies."""
    legs = []
    if to_yard is not None and crew is not None:
        legs.append(
            PlanLeg(CREW_LEG, to_yard.total_seconds() / 60, _crow_km(crew.position, machine.position))
        )
    legs.append(PlanLeg(PREPARATION_LEG, _preparation().total_seconds() / 60))
    site_km = _crow_km(machine.position, site)
    legs.append(PlanLeg(DELIVERY_LEG, delivery.duration.total_seconds() / 60, site_km))
    travel = (to_yard or timedelta(0)) + _preparation() + delivery.duration
    correction = corrections[machine.branch_id]
    return DispatchPlan(
        machine_id=machine.machine_id,
        crew=crew,
        legs=legs,
        travel=travel,
        expected_arrival=at + correction.expected(travel),
        promised_arrival=at + correction.promised(travel),
        source=matrix.source,
        source_note=matrix.note,
        correction=correction,
        branch_id=machine.branch_id,
        site_distance_km=site_km,
    )


def plan_repair_visit(*, site: Point, crew: Crew, at: datetime) -> DispatchPlan:
    """A technician goes to repair the broken machine on site: the crew straight there."""
    matrix = get_routing_provider().travel_times(
        origins=[crew.position],
        destinations=[site],
        depart_at=at,
        origin_speeds_kmh=[settings.PRONTO["ETA_DEFAULT_SPEED_KMH"]],
        distances=False,
    )
    leg = matrix.leg(0, 0)
    correction = correction_for(branch_id=crew.branch_id, at=at)
    return DispatchPlan(
        machine_id=None,
        crew=crew,
        legs=[PlanLeg(REPAIR_LEG, leg.duration.total_seconds() / 60, _crow_km(crew.position, site))],
        travel=leg.duration,
        expected_arrival=at + correction.expected(leg.duration),
        promised_arrival=at + correction.promised(leg.duration),
        source=matrix.source,
        source_note=matrix.note,
        correction=correction,
        branch_id=crew.branch_id,
        site_distance_km=_crow_km(crew.position, site),
    )


def plan_remaining(*, incident: Incident, position: Point, at: datetime) -> DispatchPlan:
    """The live ETA: from the crew's reported position to the site (the machine is on the trailer)."""
    branch_id = (incident.plan or {}).get("branch_id") or incident.rental.branch_id
    machine = incident.replacement_machine
    speed = (
        machine.home_branch.average_road_speed_kmh
        if machine is not None
        else settings.PRONTO["ETA_DEFAULT_SPEED_KMH"]
    )
    site = (incident.site_lat, incident.site_lon)
    matrix = get_routing_provider().travel_times(
        origins=[position], destinations=[site], depart_at=at, origin_speeds_kmh=[speed], distances=False
    )
    leg = matrix.leg(0, 0)
    correction = correction_for(branch_id=branch_id, at=at)
    return DispatchPlan(
        machine_id=incident.replacement_machine_id,
        crew=None,
        legs=[PlanLeg(LIVE_LEG, leg.duration.total_seconds() / 60, _crow_km(position, site))],
        travel=leg.duration,
        expected_arrival=at + correction.expected(leg.duration),
        promised_arrival=at + correction.promised(leg.duration),
        source=matrix.source,
        source_note=matrix.note,
        correction=correction,
        branch_id=branch_id,
        site_distance_km=_crow_km(position, site),
    )
