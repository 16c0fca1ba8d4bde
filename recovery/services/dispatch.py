"""Dispatch: reserving the replacement, sending the crew with a promised arrival, the ETA as it
moves, the crew's arrival and the customer running again."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.roles import signed_in
from fleet.models import Machine, MachineStatus, Technician
from fleet.selectors import category_with_substitutes
from recovery import selectors
from recovery.errors import InvalidRequest, MachineUnavailable
from recovery.events import IncidentEvent, incident_event_announce
from recovery.figures import recovery_metrics
from recovery.learning import journey_record
from recovery.models import Channel, EtaRevision, EventKind, Incident, IncidentStatus, Outcome
from recovery.planning import (
    DispatchPlan,
    MachineAtYard,
    crew_of,
    crews_on_shift,
    plan_repair_visit,
    plan_replacements,
)
from recovery.services import _steps as steps
from recovery.services import exchange
from recovery.services._steps import User
from recovery.services.aftercare import customer_record_refresh
from recovery.workflow import eta_revisable_check, outcome_check
from workshop.services import machine_status_recorded

S = IncidentStatus


def _check_compatible(incident: Incident, machine: Machine) -> None:
    accepted = {cat.id for cat, _ in category_with_substitutes(category=incident.broken_machine.category)}
    if machine.category_id not in accepted:
        raise InvalidRequest(
            gettext(
                "%(fleet)s is a %(category)s, which this customer has not accepted in place of a %(broken)s."
            )
            % {
                "fleet": machine.fleet_number,
                "category": machine.category.display_name,
                "broken": incident.broken_machine.category.display_name,
            }
        )


def _claim(machine: Machine) -> bool:
    # One conditional UPDATE: PostgreSQL makes the loser wait for the winner's commit and then
    # re-checks the status, so exactly one dispatcher gets the machine.
    claimed = (
        Machine.objects.filter(pk=machine.pk, status=MachineStatus.AVAILABLE).update(
            status=MachineStatus.RESERVED
        )
        == 1
    )
    if claimed:
        machine_status_recorded(
            machine=machine,
            status=MachineStatus.RESERVED,
            previous=MachineStatus.AVAILABLE,
            at=timezone.now(),
            reason="reserved as a replacement",
        )
    return claimed


def _reserve_machine(
    incident: Incident,
    machine: Machine,
    *,
    take_next_if_taken: bool,
    at: datetime,
    by: User | None,
    channel: str,
) -> Machine:
    _check_compatible(incident, machine)
    chosen = machine if _claim(machine) else None
    if chosen is None and take_next_if_taken:
        tried = {machine.pk}
        while chosen is None:
            options = selectors.replacement_suggestions(
                category=incident.broken_machine.category,
                site=(incident.site_lat, incident.site_lon),
                limit=3,
                exclude_machine_ids=frozenset(tried),
                now=at,
            ).suggestions
            if not options:
                break
            for option in options:
                tried.add(option.machine_id)
                candidate = Machine.objects.get(pk=option.machine_id)
                if _claim(candidate):
                    chosen = candidate
                    break
    if chosen is None:
        raise MachineUnavailable(
            gettext("%(fleet)s was just reserved by another dispatcher or is no longer available.")
            % {"fleet": machine.fleet_number}
        )
    chosen.status = MachineStatus.RESERVED
    incident.replacement_machine = chosen
    incident.reserved_at = at
    detail = f"{chosen.fleet_number} {chosen.make} {chosen.model}"
    i18n = None
    if chosen.pk != machine.pk:
        i18n = (
            gettext_noop("%(machine)s (next best: %(taken)s was taken)"),
            {"machine": detail, "taken": machine.fleet_number},
        )
        detail += f" (next best: {machine.fleet_number} was taken)"
    steps.transition(incident, "reserve", at=at, by=by, channel=channel, detail=detail, i18n=i18n)
    return chosen


def replacement_reserve(
    *,
    incident: Incident,
    machine: Machine,
    by: User | None,
    channel: str = Channel.API,
    take_next_if_taken: bool = False,
    at: datetime | None = None,
) -> Incident:
    """Reserve a replacement for the incident; never the same machine for two incidents."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            incident = steps.lock(incident)
            _reserve_machine(
                incident, machine, take_next_if_taken=take_next_if_taken, at=at, by=by, channel=channel
            )
            incident.save()
    except IntegrityError as exc:
        raise MachineUnavailable(
            gettext("%(fleet)s is already serving another incident.") % {"fleet": machine.fleet_number}
        ) from exc
    return incident


# The recovery line on the timeline, translated where it is shown; the stored detail stays English.
OUTCOME_DETAILS: dict[str, str] = {
    Outcome.SWAPPED: gettext_noop("Swapped for a replacement"),
    Outcome.REPAIRED_ON_SITE: gettext_noop("Repaired on site"),
}


def _dispatch_plan(incident: Incident, *, technician: Technician | None, at: datetime) -> DispatchPlan:
    """The plan for what is being sent: the reserved machine (or a repair visit) and the crew that
    gets there first, or the crew the dispatcher chose. The promise we text is its figure."""
    site = (incident.site_lat, incident.site_lon)
    machine = incident.replacement_machine
    if machine is not None and machine.lat is not None and machine.lon is not None:
        at_yard = MachineAtYard(
            machine_id=machine.pk,
            category_code=machine.category.code,
            position=(machine.lat, machine.lon),
            branch_id=machine.home_branch_id,
            road_speed_kmh=machine.home_branch.average_road_speed_kmh,
        )
        if technician is not None:
            # The dispatcher's choice stands, skills or not: they know something we don't.
            chosen = crew_of(technician)
            crews = [replace(chosen, skills=chosen.skills | {machine.category.code})]
        else:
            crews = crews_on_shift(category_codes=[machine.category.code], near=site)
        return plan_replacements(site=site, machines=[at_yard], crews=crews, at=at)[machine.pk]
    category = incident.broken_machine.category.code
    crews = (
        [crew_of(technician)]
        if technician is not None
        else crews_on_shift(category_codes=[category], near=site)
    )
    visits = [plan_repair_visit(site=site, crew=crew, at=at) for crew in crews]
    if not visits:
        raise InvalidRequest(gettext("No on-shift technician knows this category; choose one by hand."))
    return min(visits, key=lambda plan: plan.expected_arrival)


def dispatch_start(
    *,
    incident: Incident,
    by: User | None,
    machine: Machine | None = None,
    technician: Technician | None = None,
    channel: str = Channel.API,
    take_next_if_taken: bool = False,
    repair_only: bool = False,
    at: datetime | None = None,
) -> Incident:
    """Reserve (if not yet) and dispatch in one step: assign a crew and promise an arrival time.

    Without a machine and with `repair_only`, a technician goes to repair the broken one on site."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            incident = steps.lock(incident)
            if incident.status == S.REPORTED and machine is not None:
                _reserve_machine(
                    incident, machine, take_next_if_taken=take_next_if_taken, at=at, by=by, channel=channel
                )
            elif incident.status == S.REPORTED and not repair_only:
                raise InvalidRequest(
                    gettext("Choose a replacement machine, or dispatch a repair visit (repair_only).")
                )
            elif (
                incident.status == S.REPLACEMENT_RESERVED
                and machine is not None
                and incident.replacement_machine is not None
                and machine.pk != incident.replacement_machine.pk
            ):
                raise InvalidRequest(
                    gettext(
                        "%(fleet)s is reserved for this incident; reassign first to send another machine."
                    )
                    % {"fleet": incident.replacement_machine.fleet_number}
                )

            if technician is not None and not technician.on_shift:
                raise InvalidRequest(gettext("%(technician)s is off shift.") % {"technician": technician})
            plan = _dispatch_plan(incident, technician=technician, at=at)
            if plan.crew is None:
                raise InvalidRequest(
                    gettext("No on-shift technician knows this category; choose one by hand.")
                )
            if technician is None:
                technician = Technician.objects.select_related("user", "home_branch").get(
                    pk=plan.crew.technician_id
                )

            incident.technician = technician
            incident.dispatched_at = at
            incident.expected_eta = plan.expected_arrival
            incident.plan = plan.as_record()
            eta = plan.promised_arrival
            event = steps.transition(
                incident,
                "dispatch",
                at=at,
                by=by,
                channel=channel,
                detail=f"{technician}, ETA {timezone.localtime(eta):%H:%M}",
                i18n=(
                    gettext_noop("%(technician)s, ETA %(time)s"),
                    {"technician": str(technician), "time": f"{timezone.localtime(eta):%H:%M}"},
                ),
            )
            event.data = {"technician_id": technician.pk, "eta": eta.isoformat(), "plan": incident.plan}
            event.save(update_fields=["data"])
            _record_eta(incident, eta=eta, reason="Promised at dispatch", by=by, channel=channel, at=at)
            incident.save()
            incident_event_announce(incident=incident, event=IncidentEvent.DISPATCHED)
    except IntegrityError as exc:
        raise MachineUnavailable(gettext("That machine is already serving another incident.")) from exc
    return incident


def _record_eta(
    incident: Incident, *, eta: datetime, reason: str, by: User | None, channel: str, at: datetime
) -> None:
    EtaRevision.objects.create(
        incident=incident,
        eta=eta,
        previous_eta=incident.current_eta,
        reason=reason,
        revised_by=signed_in(by),
        channel=channel,
        at=at,
    )
    if incident.first_promised_eta is None:
        incident.first_promised_eta = eta
    if incident.customer_told_eta is None:
        incident.customer_told_eta = eta
    incident.current_eta = eta


def eta_revise(
    *,
    incident: Incident,
    eta: datetime,
    reason: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
    expected: datetime | None = None,
) -> Incident:
    """A new arrival estimate. When it moves past the margin from what the customer was last told,
    the customer hears it from us first, with an apology — never a promise lapsing in silence."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = steps.lock(incident)
        eta_revisable_check(incident=incident)
        if not reason.strip():
            raise InvalidRequest(gettext("Say why the ETA changes; the timeline keeps every revision."))
        previous = incident.current_eta
        # A live re-plan knows the most likely arrival too; a dispatcher's revision is both.
        incident.expected_eta = expected or eta
        _record_eta(incident, eta=eta, reason=reason.strip(), by=by, channel=channel, at=at)
        steps.event(
            incident,
            EventKind.ETA_REVISED,
            at=at,
            by=by,
            channel=channel,
            detail=f"{reason.strip()}: {timezone.localtime(eta):%H:%M}",
            data={"eta": eta.isoformat(), "previous_eta": previous.isoformat() if previous else None},
        )
        margin = timedelta(minutes=settings.PRONTO["ETA_DELAY_MARGIN_MINUTES"])
        if incident.customer_told_eta is not None and eta - incident.customer_told_eta > margin:
            incident.customer_told_eta = eta
            incident_event_announce(incident=incident, event=IncidentEvent.DELAYED)
        incident.save()
    return incident


def _timestamped_step(
    incident: Incident,
    action: str,
    *,
    stamp: str,
    by: User | None,
    channel: str,
    at: datetime | None,
    replacement_status: str | None = None,
    announce: IncidentEvent | None = None,
) -> Incident:
    """A step that moves the state, stamps its time, and may move the replacement or text the customer."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = steps.lock(incident)
        steps.transition(incident, action, at=at, by=by, channel=channel)
        setattr(incident, stamp, at)
        if replacement_status is not None:
            steps.machine_status_set(incident.replacement_machine, replacement_status, at=at)
        incident.save()
        if action == "arrive":
            journey_record(incident=incident)  # the evidence the next promises learn from
        if announce is not None:
            incident_event_announce(incident=incident, event=announce)
    return incident


def dispatch_depart(
    *, incident: Incident, by: User | None, channel: str = Channel.API, at: datetime | None = None
) -> Incident:
    """The crew leaves with the replacement: it is now in transit."""
    return _timestamped_step(
        incident,
        "depart",
        stamp="en_route_at",
        by=by,
        channel=channel,
        at=at,
        replacement_status=MachineStatus.IN_TRANSIT,
    )


def dispatch_arrive(
    *, incident: Incident, by: User | None, channel: str = Channel.API, at: datetime | None = None
) -> Incident:
    """The crew is on site (even if nobody tapped "en route", the machine travelled)."""
    return _timestamped_step(
        incident,
        "arrive",
        stamp="on_site_at",
        by=by,
        channel=channel,
        at=at,
        replacement_status=MachineStatus.IN_TRANSIT,
        announce=IncidentEvent.ARRIVED,
    )


def incident_recover(
    *,
    incident: Incident,
    outcome: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
    hour_meter_in: Decimal | None = None,
    hour_meter_out: Decimal | None = None,
) -> Incident:
    """The customer is running again: move the machines, store the recovery speed, tell the customer.

    A swap is an exchange on the contract (the broken unit's line closes with `hour_meter_in`, the
    replacement's opens with `hour_meter_out`) and sends the broken unit to the workshop; a repair
    on site keeps the line. Either way the downtime credit is computed now, once."""
    at = at or timezone.now()
    outcome = outcome_check(outcome)
    with transaction.atomic():
        incident = steps.lock(incident)
        steps.transition(
            incident,
            "recover",
            at=at,
            by=by,
            channel=channel,
            detail=Outcome(outcome).label,
            i18n=(OUTCOME_DETAILS[outcome], {}),
        )
        if outcome == Outcome.SWAPPED:
            if incident.replacement_machine is None:
                raise InvalidRequest(
                    gettext("There is no replacement on this incident to swap in; use repaired_on_site.")
                )
            steps.machine_status_set(
                incident.replacement_machine, MachineStatus.ON_RENT, at=at, reason="swap"
            )
            replacement = incident.replacement_machine
            Machine.objects.filter(pk=replacement.pk).update(
                lat=incident.site_lat, lon=incident.site_lon, position_updated_at=at
            )
            exchange.swap_on_contract(
                incident,
                at=at,
                by=by,
                channel=channel,
                hour_meter_in=hour_meter_in,
                hour_meter_out=hour_meter_out,
            )
        else:
            steps.machine_status_set(
                incident.broken_machine, MachineStatus.ON_RENT, at=at, reason="repaired on site"
            )
            # The replacement that came along goes back to the yard's available pool.
            steps.machine_status_set(incident.replacement_machine, MachineStatus.AVAILABLE, at=at)
        incident.outcome = outcome
        incident.recovered_at = at
        grace = timedelta(minutes=settings.PRONTO["PROMISE_GRACE_MINUTES"])
        for name, value in recovery_metrics(incident, grace=grace).items():
            setattr(incident, name, value)
        incident.save()
        exchange.downtime_credit_record(incident, at=at, by=by, channel=channel)
        customer_record_refresh(customer=incident.rental.customer)
        incident_event_announce(incident=incident, event=IncidentEvent.RECOVERED)
    return incident


def incident_close(
    *, incident: Incident, by: User | None, channel: str = Channel.API, at: datetime | None = None
) -> Incident:
    return _timestamped_step(incident, "close", stamp="closed_at", by=by, channel=channel, at=at)
