"""The dispatch plan: which machine and which crew, and when they reach the job site.

The one place the arrival is worked out. For each candidate machine the journey is the crew's
position (their last ping while on shift, else their branch) -> the machine's yard -> preparation
and loading -> the job site; a crew already at the yard travels with the machine (a zero leg).
All candidates' legs come from one travel-time matrix (routing.providers.travel_times). The
dispatcher may name the machine or the crew; the plan is then worked out for that choice."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, When
from django.db.models.functions import Cos, Radians
from django.utils import timezone

from fleet.models import Machine, MachineCategory, Technician
from recovery import selectors
from recovery.learning import arrival_corrections
from recovery.models import OPEN_STATUSES, Incident
from routing.providers import STRAIGHT_LINE_FALLBACK, Point, Travel, travel_times

# Crews considered per plan, nearest to the job site first (a crew's drive to a yard near the
# site dominates). Ranked in SQL with a flat-earth distance: good enough to shortlist, no Python
# loop over every technician.
CREWS_CONSIDERED = 6


@dataclass(frozen=True)
class Crew:
    technician_id: int
    name: str
    branch_id: int
    branch_name: str
    position: Point
    position_from: str  # "last ping" or "branch"
    busy: bool
    skills: frozenset[int]
    road_speed_kmh: float


@dataclass(frozen=True)
class Leg:
    name: str  # "to the yard", "preparation and loading", "to the job site"
    duration: timedelta
    distance_km: float | None

    @property
    def minutes(self) -> int:
        return _minutes(self.duration)


@dataclass(frozen=True)
class PlanOption:
    machine_id: int | None
    fleet_number: str
    suggestion: selectors.Suggestion | None
    crew: Crew | None
    legs: tuple[Leg, ...]
    expected_at: datetime | None
    promised_at: datetime | None
    rank: tuple

    @property
    def crew_distance_km(self) -> float | None:
        """How far the crew drives before anything else: to the yard, or to the site for a repair."""
        return self.legs[0].distance_km if self.legs else None

    @property
    def expected_minutes(self) -> int | None:
        return _minutes(sum((leg.duration for leg in self.legs), timedelta())) if self.crew else None


@dataclass(frozen=True)
class DispatchPlan:
    options: list[PlanOption]  # best first
    source: str  # "road network", "straight line" or "straight-line fallback"
    note: str
    reason: str

    @property
    def best(self) -> PlanOption | None:
        return self.options[0] if self.options and self.options[0].crew else None


def _crews(
    *, categories: Iterable[int], site: Point, now: datetime, technician: Technician | None
) -> list[Crew]:
    """On-shift crews skilled in one of the categories (or the one named), nearest first, free first."""
    lat, lon = site
    # A ping from before the shift started says where the crew slept, not where they are.
    fresh = Q(lat__isnull=False, position_updated_at__isnull=False) & (
        Q(shift_changed_at__isnull=True) | Q(position_updated_at__gte=F("shift_changed_at"))
    )
    crews = (
        Technician.objects.annotate(
            at_lat=Case(When(fresh, then=F("lat")), default=F("home_branch__lat"), output_field=FloatField()),
            at_lon=Case(When(fresh, then=F("lon")), default=F("home_branch__lon"), output_field=FloatField()),
            pinged=Case(When(fresh, then=True), default=False),
            busy=Exists(Incident.objects.filter(technician=OuterRef("pk"), status__in=OPEN_STATUSES)),
        )
        .annotate(
            away=(F("at_lat") - lat) * (F("at_lat") - lat)
            + (F("at_lon") - lon) * (F("at_lon") - lon) * Cos(Radians(lat)) * Cos(Radians(lat))
        )
        .values_list(
            "id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "home_branch_id",
            "home_branch__name",
            "at_lat",
            "at_lon",
            "pinged",
            "busy",
            "home_branch__average_road_speed_kmh",
        )
    )
    if technician is not None:
        crews = crews.filter(pk=technician.pk)
    else:
        skilled = Technician.skills.through.objects.filter(
            technician_id=OuterRef("pk"), machinecategory_id__in=list(categories)
        )
        crews = crews.filter(Exists(skilled), on_shift=True).order_by("busy", "away")
    rows = list(crews[:CREWS_CONSIDERED])
    skills: dict[int, set[int]] = defaultdict(set)
    for technician_id, category_id in Technician.skills.through.objects.filter(
        technician_id__in=[r[0] for r in rows]
    ).values_list("technician_id", "machinecategory_id"):
        skills[technician_id].add(category_id)
    return [
        Crew(
            technician_id=tid,
            name=f"{first} {last}".strip() or username,
            branch_id=branch_id,
            branch_name=branch_name,
            position=(at_lat, at_lon),
            position_from="last ping" if pinged else "branch",
            busy=busy,
            skills=frozenset(skills[tid]),
            road_speed_kmh=speed,
        )
        for tid, first, last, username, branch_id, branch_name, at_lat, at_lon, pinged, busy, speed in rows
    ]


def _minutes(duration: timedelta) -> int:
    return round(duration.total_seconds() / 60)


def plan_dispatch(
    *,
    incident: Incident,
    machine: Machine | None = None,
    technician: Technician | None = None,
    repair_only: bool = False,
    at: datetime | None = None,
    limit: int | None = None,
) -> DispatchPlan:
    """The (machine, crew) pairs for this incident, earliest arrival first, with every leg.

    `machine` or `technician` fix the dispatcher's choice; `repair_only` sends a crew to the broken
    machine without a replacement. A substitute machine pays SUBSTITUTE_PENALTY_MINUTES per step
    down the customer's list in the ranking (not in the promised time)."""
    at = at or timezone.now()
    config = settings.PRONTO
    preparation = timedelta(minutes=config["ETA_PREPARATION_MINUTES"])
    penalty = timedelta(minutes=config["SUBSTITUTE_PENALTY_MINUTES"])
    site = (incident.site_lat, incident.site_lon)
    broken: MachineCategory = incident.broken_machine.category

    suggestions: Sequence[selectors.Suggestion | None]
    if repair_only:
        suggestions, yards, reason = [None], [], "A crew repairs the broken machine on site."
    elif machine is not None:
        suggestions = [
            selectors.machine_suggestion(machine=machine, broken_category=broken, site=site, now=at)
        ]
        yards = [(machine.lat, machine.lon) if machine.lat is not None else site]
        reason = f"{machine.fleet_number}, chosen by the dispatcher."
    else:
        found = selectors.replacement_suggestions(category=broken, site=site, limit=limit, now=at)
        suggestions, reason = found.suggestions, found.reason
        yards = [(s.lat, s.lon) for s in found.suggestions]
        if not suggestions:
            return DispatchPlan(options=[], source="", note="", reason=reason)

    needed = {broken.pk} if repair_only else {s.category_id for s in suggestions if s is not None}
    crews = _crews(categories=needed, site=site, now=at, technician=technician)
    # The machines' drives to the site came with the suggestions (one matrix call); one more
    # answers every crew to every yard. A routing engine's cost grows with origins + destinations,
    # so the yard-to-yard block a single combined matrix would carry is left out.
    matrix = travel_times(
        origins=[c.position for c in crews],
        destinations=yards or [site],
        depart_at=at,
        road_speeds_kmh=[c.road_speed_kmh for c in crews],
    )
    sources = {matrix.source} | {s.travel_source for s in suggestions if s}
    source = STRAIGHT_LINE_FALLBACK if STRAIGHT_LINE_FALLBACK in sources else matrix.source

    corrections = arrival_corrections()
    options = []
    for j, suggestion in enumerate(suggestions):
        category_id = broken.pk if suggestion is None else suggestion.category_id
        pairs = []
        for i, crew in enumerate(crews):
            if category_id not in crew.skills and technician is None:
                continue
            if suggestion is None:
                legs: tuple[Leg, ...] = (_leg("to the job site", matrix.cells[i][0]),)
            else:
                legs = (
                    _leg("to the yard", matrix.cells[i][j]),
                    Leg("preparation and loading", preparation, None),
                    Leg("to the job site", suggestion.drive, suggestion.distance_km),
                )
            pairs.append((crew.busy, sum((leg.duration for leg in legs), timedelta()), crew, legs))
        pairs.sort(key=lambda pair: pair[:2])
        # A machine goes with its best crew; a repair visit lists every crew that could go.
        if suggestion is not None:
            pairs = pairs[:1]
        if not pairs:
            options.append(
                _option(suggestion, crew=None, legs=(), at=at, expected=None, promised=None, rank=(2,))
            )
        preference = (suggestion.substitute_preference or 0) if suggestion else 0
        for busy, travel, crew, legs in pairs:
            branch_id = suggestion.branch_id if suggestion else crew.branch_id
            expected, promised = corrections.for_journey(branch_id=branch_id, depart_at=at).apply(travel)
            rank = (int(busy), expected + preference * penalty)
            options.append(
                _option(
                    suggestion, crew=crew, legs=legs, at=at, expected=expected, promised=promised, rank=rank
                )
            )
    options.sort(key=lambda o: (o.rank, o.fleet_number, o.crew.name if o.crew else ""))
    note = matrix.note or ("the road network did not answer" if source == STRAIGHT_LINE_FALLBACK else "")
    if source == STRAIGHT_LINE_FALLBACK:
        reason = f"{reason} Travel times by straight line: the road network did not answer ({note})."
    return DispatchPlan(options=options, source=source, note=note, reason=reason)


def _option(
    suggestion: selectors.Suggestion | None,
    *,
    crew: Crew | None,
    legs: tuple[Leg, ...],
    at: datetime,
    expected: timedelta | None,
    promised: timedelta | None,
    rank: tuple,
) -> PlanOption:
    return PlanOption(
        machine_id=suggestion.machine_id if suggestion else None,
        fleet_number=suggestion.fleet_number if suggestion else "",
        suggestion=suggestion,
        crew=crew,
        legs=legs,
        expected_at=at + expected if expected is not None else None,
        promised_at=at + promised if promised is not None else None,
        rank=rank,
    )


def _leg(name: str, travel: Travel) -> Leg:
    return Leg(name, travel.duration, round(travel.distance_km, 1))
