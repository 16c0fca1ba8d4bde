"""Writes of the recovery engine. Every step of an incident is one function here, runs in one
transaction, checks the one table of legal transitions, and writes a timeline event."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.roles import ADMIN, MANAGER, user_has_role
from fleet.models import Customer, Machine, MachineStatus, Rental, RentalStatus, Technician
from fleet.selectors import category_with_substitutes
from fleet.services import technician_position_update
from notifications import services as notifications
from recovery import selectors
from recovery.errors import IllegalTransition, InvalidRequest, MachineUnavailable, NotAssigned, NotPermitted
from recovery.eta import get_eta_provider
from recovery.models import (
    OPEN_STATUSES,
    Channel,
    CustomerRecoveryRecord,
    EtaRevision,
    EventKind,
    FollowUp,
    FollowUpStatus,
    GoodwillCredit,
    GoodwillStatus,
    Incident,
    IncidentStatus,
    JobPhoto,
    NpsCategory,
    Outcome,
    Severity,
    SurveyResponse,
    TimelineEvent,
)

S = IncidentStatus

# The state machine: action -> (states it may start from, state it leads to). Nothing else decides.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "reserve": (frozenset({S.REPORTED}), S.REPLACEMENT_RESERVED),
    "dispatch": (frozenset({S.REPORTED, S.REPLACEMENT_RESERVED}), S.DISPATCHED),
    "depart": (frozenset({S.DISPATCHED}), S.EN_ROUTE),
    # A crew that forgot to tap "en route" still arrives.
    "arrive": (frozenset({S.DISPATCHED, S.EN_ROUTE}), S.ON_SITE),
    "recover": (frozenset({S.ON_SITE}), S.RECOVERED),
    "close": (frozenset({S.RECOVERED}), S.CLOSED),
    "cancel": (frozenset(OPEN_STATUSES), S.CANCELLED),
    "reassign": (frozenset({S.REPLACEMENT_RESERVED, S.DISPATCHED, S.EN_ROUTE}), S.REPORTED),
    # The technician hands the job back before leaving; once on the road, the dispatcher reassigns.
    "decline": (frozenset({S.DISPATCHED}), S.REPORTED),
}

ACTION_EVENTS = {
    "reserve": EventKind.RESERVED,
    "dispatch": EventKind.DISPATCHED,
    "depart": EventKind.EN_ROUTE,
    "arrive": EventKind.ON_SITE,
    "recover": EventKind.RECOVERED,
    "close": EventKind.CLOSED,
    "cancel": EventKind.CANCELLED,
    "reassign": EventKind.REASSIGNED,
    "decline": EventKind.DECLINED,
}

User = AbstractBaseUser


def allowed_actions(*, incident: Incident) -> list[str]:
    """What can be done next, for the console's buttons and the API's 409 messages."""
    return [action for action, (sources, _) in TRANSITIONS.items() if incident.status in sources]


def _lock(incident: Incident) -> Incident:
    """Re-read the incident under a row lock: concurrent steps on one incident go one at a time."""
    return selectors.incident_list().select_for_update(of=("self",)).get(pk=incident.pk)


def _event(
    incident: Incident,
    kind: str,
    *,
    at: datetime,
    by: User | None,
    channel: str,
    detail: str = "",
    from_status: str = "",
    data: dict | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        at=at,
        actor=by if by is not None and by.is_authenticated else None,
        channel=channel,
        from_status=from_status,
        to_status=incident.status if from_status else "",
        detail=detail,
        data=data or {},
    )


def _transition(
    incident: Incident, action: str, *, at: datetime, by: User | None, channel: str, detail: str = ""
) -> TimelineEvent:
    sources, target = TRANSITIONS[action]
    if incident.status not in sources:
        allowed = ", ".join(allowed_actions(incident=incident)) or "nothing (it is finished)"
        raise IllegalTransition(
            f"Cannot {action} an incident that is {incident.get_status_display().lower()}; "
            f"allowed now: {allowed}."
        )
    from_status = incident.status
    incident.status = target
    return _event(
        incident, ACTION_EVENTS[action], at=at, by=by, channel=channel, detail=detail, from_status=from_status
    )


def _set_machine_status(machine: Machine | None, status: str) -> None:
    if machine is not None:
        Machine.objects.filter(pk=machine.pk).update(status=status)
        machine.status = status


def incident_log(
    *,
    rental: Rental,
    reported_by: User | None,
    channel: str,
    symptom: str,
    severity: str = Severity.MACHINE_DOWN,
    at: datetime | None = None,
) -> Incident:
    """A breakdown is reported: open the incident, mark the machine broken, apologise to the customer."""
    at = at or timezone.now()
    if not symptom.strip():
        raise InvalidRequest("Describe the symptom: what is the machine doing, or not doing?")
    if rental.status != RentalStatus.ACTIVE:
        raise InvalidRequest("This rental has ended; a breakdown can only be logged on an active rental.")
    with transaction.atomic():
        machine = Machine.objects.select_for_update().get(pk=rental.machine_id)
        already = Incident.objects.filter(broken_machine=machine, status__in=OPEN_STATUSES).first()
        if already is not None:
            raise IllegalTransition(f"{machine.fleet_number} already has an open incident (#{already.pk}).")
        incident = Incident.objects.create(
            rental=rental,
            broken_machine=machine,
            reported_via=channel,
            reported_by=reported_by if reported_by is not None and reported_by.is_authenticated else None,
            symptom=symptom.strip(),
            severity=severity,
            site_lat=rental.site_lat,
            site_lon=rental.site_lon,
            reported_at=at,
            sla_due_at=at + timedelta(hours=rental.recovery_sla_hours),
        )
        _set_machine_status(machine, MachineStatus.BROKEN)
        _event(incident, EventKind.LOGGED, at=at, by=reported_by, channel=channel, detail=incident.symptom)
        notifications.customer_message_queue(incident=incident, kind="acknowledgement")
    return incident


def _check_compatible(incident: Incident, machine: Machine) -> None:
    accepted = {cat.id for cat, _ in category_with_substitutes(category=incident.broken_machine.category)}
    if machine.category_id not in accepted:
        raise InvalidRequest(
            f"{machine.fleet_number} is a {machine.category.name}, which this customer has not accepted "
            f"in place of a {incident.broken_machine.category.name}."
        )


def _claim(machine: Machine) -> bool:
    # One conditional UPDATE: PostgreSQL makes the loser wait for the winner's commit and then
    # re-checks the status, so exactly one dispatcher gets the machine.
    return (
        Machine.objects.filter(pk=machine.pk, status=MachineStatus.AVAILABLE).update(
            status=MachineStatus.RESERVED
        )
        == 1
    )


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
            f"{machine.fleet_number} was just reserved by another dispatcher or is no longer available."
        )
    chosen.status = MachineStatus.RESERVED
    incident.replacement_machine = chosen
    incident.reserved_at = at
    detail = f"{chosen.fleet_number} {chosen.make} {chosen.model}"
    if chosen.pk != machine.pk:
        detail += f" (next best: {machine.fleet_number} was taken)"
    _transition(incident, "reserve", at=at, by=by, channel=channel, detail=detail)
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
            incident = _lock(incident)
            _reserve_machine(
                incident, machine, take_next_if_taken=take_next_if_taken, at=at, by=by, channel=channel
            )
            incident.save()
    except IntegrityError as exc:
        raise MachineUnavailable(f"{machine.fleet_number} is already serving another incident.") from exc
    return incident


def _promise_eta(incident: Incident, *, at: datetime) -> datetime:
    provider = get_eta_provider()
    site = (incident.site_lat, incident.site_lon)
    machine = incident.replacement_machine
    if machine is not None and machine.lat is not None:
        estimate = provider.estimate(
            origin=(machine.lat, machine.lon),
            destination=site,
            road_speed_kmh=machine.home_branch.average_road_speed_kmh,
            loading=True,
        )
    else:
        technician = incident.technician
        origin = (
            (technician.lat, technician.lon)
            if technician.lat is not None
            else (
                technician.home_branch.lat,
                technician.home_branch.lon,
            )
        )
        estimate = provider.estimate(
            origin=origin,
            destination=site,
            road_speed_kmh=technician.home_branch.average_road_speed_kmh,
            loading=False,
        )
    return at + estimate.duration


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
            incident = _lock(incident)
            if incident.status == S.REPORTED and machine is not None:
                _reserve_machine(
                    incident, machine, take_next_if_taken=take_next_if_taken, at=at, by=by, channel=channel
                )
            elif incident.status == S.REPORTED and not repair_only:
                raise InvalidRequest(
                    "Choose a replacement machine, or dispatch a repair visit (repair_only)."
                )
            elif (
                incident.status == S.REPLACEMENT_RESERVED
                and machine is not None
                and machine.pk != incident.replacement_machine_id
            ):
                raise InvalidRequest(
                    f"{incident.replacement_machine.fleet_number} is reserved for this incident; "
                    "reassign first to send another machine."
                )

            if technician is None:
                near = incident.replacement_machine or incident.broken_machine
                options = selectors.technician_suggestions(
                    category=near.category,
                    near=(near.lat, near.lon)
                    if near.lat is not None
                    else (incident.site_lat, incident.site_lon),
                    limit=1,
                )
                if not options:
                    raise InvalidRequest("No on-shift technician knows this category; choose one by hand.")
                technician = Technician.objects.select_related("user", "home_branch").get(
                    pk=options[0].technician_id
                )
            elif not technician.on_shift:
                raise InvalidRequest(f"{technician} is off shift.")

            incident.technician = technician
            incident.dispatched_at = at
            eta = _promise_eta(incident, at=at)
            event = _transition(
                incident,
                "dispatch",
                at=at,
                by=by,
                channel=channel,
                detail=f"{technician}, ETA {timezone.localtime(eta):%H:%M}",
            )
            event.data = {"technician_id": technician.pk, "eta": eta.isoformat()}
            event.save(update_fields=["data"])
            _record_eta(incident, eta=eta, reason="Promised at dispatch", by=by, channel=channel, at=at)
            incident.save()
            notifications.customer_message_queue(incident=incident, kind="eta")
    except IntegrityError as exc:
        raise MachineUnavailable("That machine is already serving another incident.") from exc
    return incident


def _record_eta(
    incident: Incident, *, eta: datetime, reason: str, by: User | None, channel: str, at: datetime
) -> None:
    EtaRevision.objects.create(
        incident=incident,
        eta=eta,
        previous_eta=incident.current_eta,
        reason=reason,
        revised_by=by if by is not None and by.is_authenticated else None,
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
) -> Incident:
    """A new arrival estimate. When it moves past the margin from what the customer was last told,
    the customer hears it from us first, with an apology — never a promise lapsing in silence."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        if incident.status not in (S.DISPATCHED, S.EN_ROUTE):
            raise IllegalTransition("The ETA can only change while the crew is dispatched or en route.")
        if not reason.strip():
            raise InvalidRequest("Say why the ETA changes; the timeline keeps every revision.")
        previous = incident.current_eta
        _record_eta(incident, eta=eta, reason=reason.strip(), by=by, channel=channel, at=at)
        _event(
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
            notifications.customer_message_queue(incident=incident, kind="delay")
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
    customer_message: str | None = None,
) -> Incident:
    """A step that moves the state, stamps its time, and may move the replacement or text the customer."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        _transition(incident, action, at=at, by=by, channel=channel)
        setattr(incident, stamp, at)
        if replacement_status is not None:
            _set_machine_status(incident.replacement_machine, replacement_status)
        incident.save()
        if customer_message is not None:
            notifications.customer_message_queue(incident=incident, kind=customer_message)
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
        customer_message="arrival",
    )


def recovery_metrics(incident: Incident, *, sla_hours: int, grace: timedelta) -> dict:
    """Recovery speed as the customer lived it; stored on the incident once it is recovered."""
    to_recovery = incident.recovered_at - incident.reported_at
    metrics = {
        "time_to_dispatch": incident.dispatched_at - incident.reported_at if incident.dispatched_at else None,
        "time_to_arrival": incident.on_site_at - incident.reported_at if incident.on_site_at else None,
        "time_to_recovery": to_recovery,
        "eta_error": None,
        "promise_kept": None,
        "sla_met": to_recovery <= timedelta(hours=sla_hours),
    }
    if incident.first_promised_eta and incident.on_site_at:
        metrics["eta_error"] = incident.on_site_at - incident.first_promised_eta
        metrics["promise_kept"] = incident.on_site_at <= incident.first_promised_eta + grace
    return metrics


def incident_recover(
    *,
    incident: Incident,
    outcome: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> Incident:
    """The customer is running again: move the machines, store the recovery speed, tell the customer."""
    at = at or timezone.now()
    if outcome not in Outcome.values:
        raise InvalidRequest(f"Outcome must be one of: {', '.join(Outcome.values)}.")
    with transaction.atomic():
        incident = _lock(incident)
        _transition(incident, "recover", at=at, by=by, channel=channel, detail=Outcome(outcome).label)
        if outcome == Outcome.SWAPPED:
            if incident.replacement_machine is None:
                raise InvalidRequest(
                    "There is no replacement on this incident to swap in; use repaired_on_site."
                )
            _set_machine_status(incident.replacement_machine, MachineStatus.ON_RENT)
            _set_machine_status(incident.broken_machine, MachineStatus.IN_REPAIR)
            replacement = incident.replacement_machine
            Machine.objects.filter(pk=replacement.pk).update(
                lat=incident.site_lat, lon=incident.site_lon, position_updated_at=at
            )
            Rental.objects.filter(pk=incident.rental_id).update(machine=replacement)
        else:
            _set_machine_status(incident.broken_machine, MachineStatus.ON_RENT)
            # The replacement that came along goes back to the yard's available pool.
            _set_machine_status(incident.replacement_machine, MachineStatus.AVAILABLE)
        incident.outcome = outcome
        incident.recovered_at = at
        for name, value in recovery_metrics(
            incident,
            sla_hours=incident.rental.recovery_sla_hours,
            grace=timedelta(minutes=settings.PRONTO["PROMISE_GRACE_MINUTES"]),
        ).items():
            setattr(incident, name, value)
        incident.save()
        customer_record_refresh(customer=incident.rental.customer)
        notifications.customer_message_queue(incident=incident, kind="recovered")
    return incident


def incident_close(
    *, incident: Incident, by: User | None, channel: str = Channel.API, at: datetime | None = None
) -> Incident:
    return _timestamped_step(incident, "close", stamp="closed_at", by=by, channel=channel, at=at)


def _release_replacement(incident: Incident) -> None:
    if incident.replacement_machine is not None:
        _set_machine_status(incident.replacement_machine, MachineStatus.AVAILABLE)
        incident.replacement_machine = None


def incident_cancel(
    *,
    incident: Incident,
    reason: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> Incident:
    """A false alarm or a customer who solved it: release the replacement, the machine runs on."""
    at = at or timezone.now()
    if not reason.strip():
        raise InvalidRequest("Say why the incident is cancelled.")
    with transaction.atomic():
        incident = _lock(incident)
        _transition(incident, "cancel", at=at, by=by, channel=channel, detail=reason.strip())
        _release_replacement(incident)
        _set_machine_status(incident.broken_machine, MachineStatus.ON_RENT)
        incident.cancelled_at = at
        incident.save()
    return incident


def _dispatch_restart(
    incident: Incident, action: str, *, reason: str, at: datetime, by: User | None, channel: str
) -> Incident:
    """Back to the dispatcher: the reserved machine returns to the pool and the crew is freed."""
    if not reason.strip():
        verb = "declined" if action == "decline" else "reassigned"
        raise InvalidRequest(f"Say why the incident is {verb}.")
    released = incident.replacement_machine
    technician_id = incident.technician_id
    event = _transition(incident, action, at=at, by=by, channel=channel, detail=reason.strip())
    _release_replacement(incident)
    incident.technician = None
    incident.accepted_at = None
    incident.reserved_at = None
    # Who handed it back, so the dispatcher does not send the same person again.
    data = {"technician_id": technician_id} if action == "decline" else {}
    if released is not None:
        data["released_machine"] = released.fleet_number
    if data:
        event.data = data
        event.save(update_fields=["data"])
    incident.save()
    return incident


def incident_reassign(
    *,
    incident: Incident,
    reason: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> Incident:
    """Start the dispatch over: the reserved machine returns to the pool and the crew is freed."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        return _dispatch_restart(incident, "reassign", reason=reason, at=at, by=by, channel=channel)


def goodwill_grant(
    *,
    incident: Incident,
    amount_eur: Decimal,
    reason: str,
    by: User,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> GoodwillCredit:
    """Anyone handling the incident may make it right up to the limit without asking (the
    Ritz-Carlton rule); beyond it, a manager approves. Managers' own grants need no approval."""
    at = at or timezone.now()
    if amount_eur <= 0:
        raise InvalidRequest("The credit must be more than zero.")
    if not reason.strip():
        raise InvalidRequest("Say what the credit makes up for.")
    limit = Decimal(settings.PRONTO["GOODWILL_LIMIT_EUR"])
    with transaction.atomic():
        incident = _lock(incident)
        granted = incident.goodwill_credits.filter(
            status__in=(GoodwillStatus.GRANTED, GoodwillStatus.APPROVED)
        ).aggregate(total=Sum("amount_eur"))["total"] or Decimal(0)
        if user_has_role(by, MANAGER, ADMIN):
            status = GoodwillStatus.APPROVED
        elif granted + amount_eur <= limit:
            status = GoodwillStatus.GRANTED
        else:
            status = GoodwillStatus.AWAITING_APPROVAL
        credit = GoodwillCredit.objects.create(
            incident=incident,
            amount_eur=amount_eur,
            reason=reason.strip(),
            status=status,
            granted_by=by,
            granted_at=at,
            decided_by=by if status == GoodwillStatus.APPROVED else None,
            decided_at=at if status == GoodwillStatus.APPROVED else None,
        )
        _event(
            incident,
            EventKind.GOODWILL,
            at=at,
            by=by,
            channel=channel,
            detail=f"€{amount_eur} {credit.get_status_display().lower()}: {credit.reason}",
            data={"credit_id": credit.pk, "status": status},
        )
    return credit


def goodwill_decide(
    *, credit: GoodwillCredit, approve: bool, by: User, channel: str = Channel.API, at: datetime | None = None
) -> GoodwillCredit:
    at = at or timezone.now()
    if not user_has_role(by, MANAGER, ADMIN):
        raise NotPermitted("Only a manager can approve a credit above the limit.")
    with transaction.atomic():
        credit = GoodwillCredit.objects.select_for_update().get(pk=credit.pk)
        if credit.status != GoodwillStatus.AWAITING_APPROVAL:
            raise IllegalTransition(f"This credit is already {credit.get_status_display().lower()}.")
        credit.status = GoodwillStatus.APPROVED if approve else GoodwillStatus.REJECTED
        credit.decided_by = by
        credit.decided_at = at
        credit.save()
        _event(
            credit.incident,
            EventKind.GOODWILL,
            at=at,
            by=by,
            channel=channel,
            detail=f"€{credit.amount_eur} {credit.get_status_display().lower()}",
            data={"credit_id": credit.pk, "status": credit.status},
        )
    return credit


def customer_record_refresh(*, customer: Customer) -> CustomerRecoveryRecord:
    """Recompute the customer's recovery record from the stored per-incident metrics."""
    rows = list(
        selectors.recovered_incidents_for_customer(customer=customer).values_list(
            "time_to_recovery", "sla_met", "promise_kept"
        )
    )
    promises = [kept for _, _, kept in rows if kept is not None]
    record, _ = CustomerRecoveryRecord.objects.update_or_create(
        customer=customer,
        defaults={
            "recoveries": len(rows),
            "median_time_to_recovery": statistics.median_low([r[0] for r in rows]) if rows else None,
            "sla_met_rate": sum(1 for r in rows if r[1]) / len(rows) if rows else None,
            "promises_kept_rate": sum(promises) / len(promises) if promises else None,
        },
    )
    return record


def sla_watch(*, now: datetime | None = None) -> int:
    """Flag open incidents about to breach their SLA so the console escalates them."""
    now = now or timezone.now()
    warning = timedelta(minutes=settings.PRONTO["SLA_WARNING_MINUTES"])
    flagged = 0
    for incident_id in selectors.incidents_at_risk(now=now, warning=warning).values_list("pk", flat=True):
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=incident_id)
            if incident.sla_at_risk_since is not None or not incident.is_open:
                continue
            incident.sla_at_risk_since = now
            incident.save(update_fields=["sla_at_risk_since"])
            left = max(incident.sla_due_at - now, timedelta(0))
            _event(
                incident,
                EventKind.SLA_AT_RISK,
                at=now,
                by=None,
                channel=Channel.SYSTEM,
                detail=f"{int(left.total_seconds() // 60)} minutes of SLA left",
            )
            flagged += 1
    return flagged


def incident_flag_for_call(*, incident: Incident, reason: str, at: datetime | None = None) -> Incident:
    """Texting failed for good: a person must phone the customer."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        incident.call_customer_reason = reason[:255]
        incident.save(update_fields=["call_customer_reason"])
        _event(incident, EventKind.CALL_CUSTOMER, at=at, by=None, channel=Channel.SYSTEM, detail=reason)
    return incident


def customer_message_attach(*, incident: Incident, text: str, at: datetime | None = None) -> TimelineEvent:
    """A customer's free-text SMS lands on their incident for the dispatcher to answer."""
    return _event(
        incident,
        EventKind.CUSTOMER_MESSAGE,
        at=at or timezone.now(),
        by=None,
        channel=Channel.SMS,
        detail=text,
    )


def nps_category(score: int) -> str:
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


def survey_response_record(*, incident: Incident, score: int, at: datetime | None = None) -> SurveyResponse:
    """The customer's verdict. A detractor opens a follow-up for a manager."""
    at = at or timezone.now()
    if not 0 <= score <= 10:
        raise InvalidRequest("The score goes from 0 to 10.")
    with transaction.atomic():
        response, created = SurveyResponse.objects.get_or_create(
            incident=incident, defaults={"score": score, "category": nps_category(score), "answered_at": at}
        )
        if not created:
            return response
        _event(
            incident,
            EventKind.SURVEY_ANSWERED,
            at=at,
            by=None,
            channel=Channel.SMS,
            detail=f"{score}/10 ({response.get_category_display().lower()})",
        )
        if response.category == NpsCategory.DETRACTOR:
            FollowUp.objects.get_or_create(incident=incident, defaults={"opened_at": at})
    return response


def follow_up_update(
    *,
    follow_up: FollowUp,
    by: User,
    assigned_to: User | None = None,
    note: str | None = None,
    close: bool = False,
    at: datetime | None = None,
) -> FollowUp:
    at = at or timezone.now()
    if not user_has_role(by, MANAGER, ADMIN):
        raise NotPermitted("Only managers handle detractor follow-ups.")
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.status == FollowUpStatus.CLOSED:
            raise IllegalTransition("This follow-up is closed.")
        if assigned_to is not None:
            follow_up.assigned_to = assigned_to
        if note:
            follow_up.note = f"{follow_up.note}\n{note}".strip()
        if close:
            follow_up.status = FollowUpStatus.CLOSED
            follow_up.closed_at = at
        follow_up.save()
    return follow_up


# Personal data -------------------------------------------------------------------------------

# What stands in for a customer's own words once they are gone; the event itself stays.
QUOTE_ERASED = "[erased]"
QUOTE_EXPIRED = "[deleted after the retention period]"


def customer_incidents_erase(
    *, customer: Customer, scrub: Callable[[str], str], site_decimals: int
) -> dict[str, int]:
    """Erase a customer's words and identifiers from their incidents, keeping every figure.

    The customer's SMS quoted on the timeline go entirely; staff's free text (symptom, reasons,
    notes) loses the names and numbers `scrub` knows. Times, durations, SLA and promise outcomes,
    survey scores and NPS categories are untouched, so managers' figures do not move."""
    incidents = Incident.objects.filter(rental__customer=customer)
    counts = {
        "incidents": 0,
        "timeline_events": 0,
        "eta_revisions": 0,
        "goodwill_credits": 0,
        "follow_ups": 0,
    }
    for incident in incidents.only("pk", "symptom", "call_customer_reason", "site_lat", "site_lon"):
        Incident.objects.filter(pk=incident.pk).update(
            symptom=scrub(incident.symptom),
            call_customer_reason=scrub(incident.call_customer_reason)[:255],
            site_lat=round(incident.site_lat, site_decimals),
            site_lon=round(incident.site_lon, site_decimals),
        )
        counts["incidents"] += 1
    events = TimelineEvent.objects.filter(incident__in=incidents)
    counts["timeline_events"] += events.filter(kind=EventKind.CUSTOMER_MESSAGE).update(detail=QUOTE_ERASED)
    for event in events.exclude(kind=EventKind.CUSTOMER_MESSAGE).exclude(detail="").only("pk", "detail"):
        if (scrubbed := scrub(event.detail)) != event.detail:
            TimelineEvent.objects.filter(pk=event.pk).update(detail=scrubbed)
            counts["timeline_events"] += 1
    for revision in EtaRevision.objects.filter(incident__in=incidents).only("pk", "reason"):
        if (scrubbed := scrub(revision.reason)) != revision.reason:
            EtaRevision.objects.filter(pk=revision.pk).update(reason=scrubbed)
            counts["eta_revisions"] += 1
    for credit in GoodwillCredit.objects.filter(incident__in=incidents).only("pk", "reason"):
        if (scrubbed := scrub(credit.reason)) != credit.reason:
            GoodwillCredit.objects.filter(pk=credit.pk).update(reason=scrubbed)
            counts["goodwill_credits"] += 1
    # A manager's notes of a call with the customer are about the person: all of it goes.
    counts["follow_ups"] = (
        FollowUp.objects.filter(incident__in=incidents).exclude(note="").update(note=QUOTE_ERASED)
    )
    counts["job_photos"] = _job_photos_delete(JobPhoto.objects.filter(incident__in=incidents))
    return counts


def _job_photos_delete(photos) -> int:
    """Site photos and signed delivery notes show the person and their home: rows and files go.

    Files are removed only once the transaction commits, so a rollback never leaves a row whose
    file is gone."""
    found = list(photos.values_list("pk", "file"))
    JobPhoto.objects.filter(pk__in=[pk for pk, _ in found]).delete()
    storage = JobPhoto._meta.get_field("file").storage
    names = [name for _, name in found if name]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(found)


def customer_message_quotes_expire(*, older_than: datetime) -> int:
    """The SMS retention applies to the copy of a customer's SMS on the timeline too."""
    return (
        TimelineEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE, at__lt=older_than)
        .exclude(detail__in=("", QUOTE_ERASED, QUOTE_EXPIRED))
        .update(detail=QUOTE_EXPIRED)
    )


# The technician's app. Phones report late and out of order (an offline queue flushing after a
# tunnel), so every report carries the device's event time and none moves a job backwards.

# A job's road as the technician walks it; a report never moves a job back along it.
JOURNEY = (S.DISPATCHED, S.EN_ROUTE, S.ON_SITE, S.RECOVERED, S.CLOSED)
# The statuses a technician reports, with the transition each is and the time stamp it fills.
STATUS_REPORTS: dict[str, tuple[str, str]] = {
    S.EN_ROUTE: ("depart", "en_route_at"),
    S.ON_SITE: ("arrive", "on_site_at"),
    S.RECOVERED: ("recover", "recovered_at"),
}


def technician_next_steps(*, incident: Incident) -> list[str]:
    """What the technician's app may offer on this job now: accept, decline and the statuses."""
    if not incident.is_open:
        return []
    steps = ["accept"] if incident.accepted_at is None else []
    if incident.status in TRANSITIONS["decline"][0]:
        steps.append("decline")
    steps += [
        status for status, (action, _) in STATUS_REPORTS.items() if incident.status in TRANSITIONS[action][0]
    ]
    return steps


def _assigned_or_404(incident: Incident, *, by: User) -> None:
    """Checked under the row lock: a dispatcher may have reassigned the job a moment ago."""
    technician = getattr(by, "technician", None)
    if technician is None or incident.technician_id != technician.pk:
        raise NotAssigned("This job is not assigned to you, or does not exist.")


def dispatch_accept(
    *, incident: Incident, by: User, at: datetime, channel: str = Channel.TECHNICIAN
) -> Incident:
    """The technician confirms the job. Accepting again, or after setting off, changes nothing."""
    with transaction.atomic():
        incident = _lock(incident)
        _assigned_or_404(incident, by=by)
        if not incident.is_open:
            raise IllegalTransition(
                f"This job is {incident.get_status_display().lower()}; there is nothing to accept."
            )
        if incident.accepted_at is None:
            incident.accepted_at = at
            incident.save(update_fields=["accepted_at"])
            _event(incident, EventKind.ACCEPTED, at=at, by=by, channel=channel)
    return incident


def dispatch_decline(
    *, incident: Incident, reason: str, by: User, at: datetime, channel: str = Channel.TECHNICIAN
) -> Incident:
    """The technician hands the job back: it returns to the dispatcher as a reassignment would."""
    with transaction.atomic():
        incident = _lock(incident)
        _assigned_or_404(incident, by=by)
        if incident.status in (S.EN_ROUTE, S.ON_SITE):
            raise IllegalTransition("This job is under way; call the dispatcher to hand it over.")
        return _dispatch_restart(incident, "decline", reason=reason, at=at, by=by, channel=channel)


def _record_late_report(incident: Incident, status: str, *, at: datetime, by: User, channel: str) -> None:
    action, field = STATUS_REPORTS[status]
    if getattr(incident, field) is not None:
        return  # a repeat of a report we already have (the app resent it under a new key)
    position = JOURNEY.index(status)
    later = [getattr(incident, f) for s, (_, f) in STATUS_REPORTS.items() if JOURNEY.index(s) > position]
    # A stamp after the next step's would make the metrics say the crew left after arriving.
    fits = all(stamp is None or at <= stamp for stamp in later)
    if fits:
        setattr(incident, field, at)
        incident.save(update_fields=[field])
    _event(
        incident,
        ACTION_EVENTS[action],
        at=at,
        by=by,
        channel=channel,
        detail=f"Reported late; the job was already {incident.get_status_display().lower()}",
        data={"late": True, "time_recorded": fits},
    )


def technician_status_report(
    *,
    incident: Incident,
    status: str,
    by: User,
    at: datetime,
    outcome: str | None = None,
    channel: str = Channel.TECHNICIAN,
) -> Incident:
    """A status from the technician's app (en_route, on_site, recovered), applied in event-time order.

    A step the job has already passed is recorded as late: it fills its empty time stamp and a
    timeline event marked late, and the job stays where it is. A step the job cannot reach from
    where it is (recovered before on site, anything on a cancelled job) is an IllegalTransition."""
    if status not in STATUS_REPORTS:
        raise InvalidRequest(f"Status must be one of: {', '.join(STATUS_REPORTS)}.")
    if status == S.RECOVERED and outcome not in Outcome.values:
        raise InvalidRequest(f"Say how it was recovered: {' or '.join(Outcome.values)}.")
    with transaction.atomic():
        incident = _lock(incident)
        _assigned_or_404(incident, by=by)
        if at < incident.reported_at:
            raise InvalidRequest("That time is before the breakdown was reported; check the phone's clock.")
        if incident.status in JOURNEY and JOURNEY.index(incident.status) >= JOURNEY.index(status):
            _record_late_report(incident, status, at=at, by=by, channel=channel)
            return incident
        if incident.status not in TRANSITIONS[STATUS_REPORTS[status][0]][0]:
            reachable = [
                step
                for step, (action, _) in STATUS_REPORTS.items()
                if incident.status in TRANSITIONS[action][0]
            ]
            raise IllegalTransition(
                f"This job is {incident.get_status_display().lower()}, so it cannot be {status} yet; "
                f"it can be {' or '.join(reachable)} next."
                if reachable
                else f"This job is {incident.get_status_display().lower()}; there is nothing left to report."
            )
        if status == S.EN_ROUTE:
            return dispatch_depart(incident=incident, by=by, channel=channel, at=at)
        if status == S.ON_SITE:
            return dispatch_arrive(incident=incident, by=by, channel=channel, at=at)
        return incident_recover(incident=incident, outcome=outcome, by=by, channel=channel, at=at)


def incident_note_add(
    *, incident: Incident, text: str, by: User | None, at: datetime, channel: str = Channel.TECHNICIAN
) -> TimelineEvent:
    """A free-text line on the incident's timeline, e.g. what the technician found on site."""
    if not text.strip():
        raise InvalidRequest("Write something in the note.")
    return _event(incident, EventKind.NOTE, at=at, by=by, channel=channel, detail=text.strip())


# Photos are checked by their first bytes: a name or a declared type says nothing.
IMAGE_SIGNATURES = (
    ("image/jpeg", ".jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", ".png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/webp", ".webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


def image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, file extension) of a JPEG, PNG or WebP image from its first 12 bytes."""
    for content_type, extension, matches in IMAGE_SIGNATURES:
        if matches(head):
            return content_type, extension
    return None


def human_size(size: int) -> str:
    """A byte count as the technician reads it: 734 KB, 10.0 MB."""
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} KB"


def job_photo_add(
    *, incident: Incident, file: File, by: User, taken_at: datetime, channel: str = Channel.TECHNICIAN
) -> JobPhoto:
    """Keep a photo of the job through the default storage, and note it on the timeline."""
    limit = settings.PRONTO["PHOTO_MAX_BYTES"]
    if file.size > limit:
        raise InvalidRequest(f"The photo is {human_size(file.size)}; the limit is {human_size(limit)}.")
    file.seek(0)
    found = image_type(file.read(12))
    file.seek(0)
    if found is None:
        raise InvalidRequest("Send a JPEG, PNG or WebP photo; this file is none of those.")
    content_type, extension = found
    with transaction.atomic():
        photo = JobPhoto(
            incident=incident, content_type=content_type, size=file.size, uploaded_by=by, taken_at=taken_at
        )
        photo.file.save(f"{uuid4().hex}{extension}", file, save=False)
        photo.save()
        _event(
            incident,
            EventKind.PHOTO,
            at=taken_at,
            by=by,
            channel=channel,
            data={"photo_id": photo.pk, "content_type": content_type, "size": photo.size},
        )
    return photo


@dataclass(frozen=True)
class LocationPing:
    lat: float
    lon: float
    at: datetime


@dataclass(frozen=True)
class LocationReport:
    accepted: int
    position_updated: bool
    eta_revised: list[int]  # the incidents whose ETA this report moved


def _live_eta_revise(
    incident: Incident, *, technician: Technician, at: datetime, by: User, channel: str
) -> bool:
    if incident.en_route_at is not None and at < incident.en_route_at:
        return False  # a position from before they set off says nothing about this drive
    machine = incident.replacement_machine
    # With a machine on the trailer the crew drives at its depot's truck speed, as promised.
    branch = machine.home_branch if machine is not None else technician.home_branch
    estimate = get_eta_provider().estimate(
        origin=(technician.lat, technician.lon),
        destination=(incident.site_lat, incident.site_lon),
        road_speed_kmh=branch.average_road_speed_kmh,
        loading=False,
    )
    eta = at + estimate.duration
    threshold = timedelta(minutes=settings.PRONTO["LIVE_ETA_THRESHOLD_MINUTES"])
    if incident.current_eta is not None and abs(eta - incident.current_eta) < threshold:
        return False
    try:
        eta_revise(
            incident=incident,
            eta=eta,
            reason=f"Live position, {estimate.distance_km:.1f} km to go",
            by=by,
            channel=channel,
            at=at,
        )
    except IllegalTransition:
        return False  # the crew arrived between our read and the lock: nothing to revise
    return True


def technician_location_report(
    *, technician: Technician, pings: list[LocationPing], by: User, channel: str = Channel.TECHNICIAN
) -> LocationReport:
    """One ping or a batch: the newest by device time becomes the technician's position, and the
    ETA of a job they are driving to is revised when it moves by LIVE_ETA_THRESHOLD_MINUTES or more.
    eta_revise decides whether the customer hears of a delay, once per margin, not per ping."""
    if not pings:
        raise InvalidRequest("Send at least one position.")
    newest = max(pings, key=lambda ping: ping.at)
    moved = technician_position_update(technician=technician, lat=newest.lat, lon=newest.lon, at=newest.at)
    revised = []
    if moved:
        for incident in selectors.technician_jobs_en_route(technician=technician):
            if _live_eta_revise(incident, technician=technician, at=newest.at, by=by, channel=channel):
                revised.append(incident.pk)
    return LocationReport(accepted=len(pings), position_updated=moved, eta_revised=revised)
