"""Opening, cancelling and handing back incidents, the SLA watch, and notes on the timeline."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.roles import signed_in
from fleet.models import Machine, MachineStatus, Rental, RentalStatus
from recovery import selectors
from recovery.errors import IllegalTransition, InvalidRequest
from recovery.events import IncidentEvent, incident_event_announce
from recovery.models import (
    OPEN_STATUSES,
    Channel,
    CustomerAnswer,
    EventKind,
    Incident,
    IncidentStatus,
    Severity,
    TimelineEvent,
)
from recovery.services import _steps as steps
from recovery.services._steps import User


def incident_log(
    *,
    rental: Rental,
    reported_by: User | None,
    channel: str,
    symptom: str,
    severity: str = Severity.MACHINE_DOWN,
    at: datetime | None = None,
    down_since: datetime | None = None,
) -> Incident:
    """A breakdown is reported: open the incident, mark the machine broken, apologise to the customer.

    `down_since`, when known, is when the machine stopped: the contract's reporting window for the
    downtime credit runs from there."""
    at = at or timezone.now()
    if not symptom.strip():
        raise InvalidRequest(gettext("Describe the symptom: what is the machine doing, or not doing?"))
    if down_since is not None and down_since > at:
        raise InvalidRequest(gettext("The machine cannot have stopped after the report."), field="down_since")
    if rental.status != RentalStatus.ACTIVE:
        raise InvalidRequest(
            gettext("This rental has ended; a breakdown can only be logged on an active rental.")
        )
    with transaction.atomic():
        # The machine on the rental now, read with the lock: a rental object held since before a
        # swap would still name the machine that left the site.
        machine = (
            Machine.objects.select_for_update(of=("self",))
            .select_related("category")
            .get(rentals__pk=rental.pk)
        )
        already = Incident.objects.filter(broken_machine=machine, status__in=OPEN_STATUSES).first()
        if already is not None:
            raise IllegalTransition(
                gettext("%(fleet)s already has an open incident (#%(number)s).")
                % {"fleet": machine.fleet_number, "number": already.pk}
            )
        incident = Incident.objects.create(
            rental=rental,
            broken_machine=machine,
            reported_via=channel,
            reported_by=signed_in(reported_by),
            symptom=symptom.strip(),
            severity=severity,
            down_since=down_since,
            site_lat=rental.site_lat,
            site_lon=rental.site_lon,
            reported_at=at,
            sla_due_at=at + timedelta(hours=rental.recovery_sla_hours),
        )
        steps.machine_status_set(machine, MachineStatus.BROKEN, at=at, reason=f"incident {incident.pk}")
        steps.event(
            incident, EventKind.LOGGED, at=at, by=reported_by, channel=channel, detail=incident.symptom
        )
        incident_event_announce(incident=incident, event=IncidentEvent.LOGGED)
    return incident


def incident_suspect(
    *, rental: Rental, fault_text: str, fault_at: datetime, at: datetime | None = None
) -> Incident:
    """The machine's telematics reported a fault: open a suspected incident for the board. Nobody is
    sent and the customer hears nothing until it is confirmed; the machine stays on rent."""
    at = at or timezone.now()
    if rental.status != RentalStatus.ACTIVE:
        raise InvalidRequest(
            gettext("This rental has ended; a breakdown can only be logged on an active rental.")
        )
    with transaction.atomic():
        machine = Machine.objects.select_for_update().get(pk=rental.machine_id)
        already = Incident.objects.filter(broken_machine=machine, status__in=OPEN_STATUSES).first()
        if already is not None:
            raise IllegalTransition(
                gettext("%(fleet)s already has an open incident (#%(number)s).")
                % {"fleet": machine.fleet_number, "number": already.pk}
            )
        incident = Incident.objects.create(
            rental=rental,
            broken_machine=machine,
            status=IncidentStatus.SUSPECTED,
            reported_via=Channel.TELEMATICS,
            symptom=fault_text,
            fault_at=fault_at,
            fault_text=fault_text[:255],
            site_lat=rental.site_lat,
            site_lon=rental.site_lon,
            reported_at=at,
            sla_due_at=at + timedelta(hours=rental.recovery_sla_hours),
        )
        steps.event(
            incident,
            EventKind.SUSPECTED,
            at=at,
            by=None,
            channel=Channel.TELEMATICS,
            detail=fault_text,
            data={"fault_at": fault_at.isoformat()},
        )
    return incident


def incident_confirm(
    *, incident: Incident, by: User | None, channel: str = Channel.API, at: datetime | None = None
) -> Incident:
    """A suspected fault is a breakdown: the normal flow starts (the machine is broken, the
    replacement search runs) and the customer is told before they call, with the arrival time the
    best replacement could make."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = steps.lock(incident)
        steps.transition(incident, "confirm", at=at, by=by, channel=channel)
        steps.machine_status_set(incident.broken_machine, MachineStatus.BROKEN)
        incident.confirmed_at = at
        best = selectors.incident_replacement_suggestions(incident=incident, limit=1, now=at).suggestions
        # What we tell the customer now; a later dispatch that moves it past the margin apologises.
        incident.customer_told_eta = best[0].eta_at if best else None
        incident.save()
        incident_event_announce(incident=incident, event=IncidentEvent.CONFIRMED)
    return incident


def incident_dismiss(
    *,
    incident: Incident,
    reason: str,
    by: User | None,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> Incident:
    """The fault was no breakdown (a loose sensor, a planned shutdown): close the suspicion, say why."""
    at = at or timezone.now()
    if not reason.strip():
        raise InvalidRequest(gettext("Say why this is not a breakdown."), field="reason")
    with transaction.atomic():
        incident = steps.lock(incident)
        steps.transition(incident, "dismiss", at=at, by=by, channel=channel, detail=reason.strip())
        incident.dismissed_at = at
        incident.save()
    return incident


def replacement_release(incident: Incident) -> None:
    if incident.replacement_machine is not None:
        steps.machine_status_set(incident.replacement_machine, MachineStatus.AVAILABLE)
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
        raise InvalidRequest(gettext("Say why the incident is cancelled."))
    with transaction.atomic():
        incident = steps.lock(incident)
        steps.transition(incident, "cancel", at=at, by=by, channel=channel, detail=reason.strip())
        replacement_release(incident)
        steps.machine_status_set(
            incident.broken_machine, MachineStatus.ON_RENT, at=at, reason="incident cancelled"
        )
        incident.cancelled_at = at
        incident.save()
        incident_event_announce(incident=incident, event=IncidentEvent.CANCELLED)
    return incident


def dispatch_restart(
    incident: Incident, action: str, *, reason: str, at: datetime, by: User | None, channel: str
) -> Incident:
    """Back to the dispatcher: the reserved machine returns to the pool and the crew is freed."""
    if not reason.strip():
        raise InvalidRequest(
            gettext("Say why the job is declined.")
            if action == "decline"
            else gettext("Say why the incident is reassigned.")
        )
    released = incident.replacement_machine
    technician_id = incident.technician_id
    event = steps.transition(incident, action, at=at, by=by, channel=channel, detail=reason.strip())
    replacement_release(incident)
    incident.technician = None
    incident.accepted_at = None
    incident.reserved_at = None
    # Who handed it back, so the dispatcher does not send the same person again.
    data: dict[str, object] = {"technician_id": technician_id} if action == "decline" else {}
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
        incident = steps.lock(incident)
        return dispatch_restart(incident, "reassign", reason=reason, at=at, by=by, channel=channel)


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
            steps.event(
                incident,
                EventKind.SLA_AT_RISK,
                at=now,
                by=None,
                channel=Channel.SYSTEM,
                detail=f"{int(left.total_seconds() // 60)} minutes of SLA left",
                i18n=(
                    gettext_noop("%(minutes)s minutes of SLA left"),
                    {"minutes": int(left.total_seconds() // 60)},
                ),
            )
            flagged += 1
    return flagged


def incident_flag_for_call(*, incident: Incident, reason: str, at: datetime | None = None) -> Incident:
    """Texting failed for good: a person must phone the customer."""
    at = at or timezone.now()
    with transaction.atomic():
        incident = steps.lock(incident)
        incident.call_customer_reason = reason[:255]
        incident.save(update_fields=["call_customer_reason"])
        steps.event(incident, EventKind.CALL_CUSTOMER, at=at, by=None, channel=Channel.SYSTEM, detail=reason)
    return incident


def customer_message_attach(*, incident: Incident, text: str, at: datetime | None = None) -> TimelineEvent:
    """A customer's free-text SMS lands on their incident for the dispatcher to answer."""
    return steps.event(
        incident,
        EventKind.CUSTOMER_MESSAGE,
        at=at or timezone.now(),
        by=None,
        channel=Channel.SMS,
        detail=text,
    )


# The statuses in which the arrival-time text's options are open: the crew is promised, not there yet.
AWAITING_CREW = (IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE)
ANSWER_EVENTS = {
    CustomerAnswer.CONFIRMED: EventKind.CUSTOMER_CONFIRMED,
    CustomerAnswer.WORKS: EventKind.CUSTOMER_WORKS,
}


def customer_reply_record(
    *, incident: Incident, answer: str, text: str, at: datetime | None = None
) -> TimelineEvent | None:
    """The customer answered the arrival-time text: someone will receive the machine (1), or it
    works again (2) and the dispatcher should consider cancelling. None when the crew is no longer
    awaited (on site, running again, cancelled): the caller treats the text as a plain message."""
    answer = CustomerAnswer(answer)
    at = at or timezone.now()
    with transaction.atomic():
        incident = steps.lock(incident)
        if incident.status not in AWAITING_CREW:
            return None
        incident.customer_answer = answer
        incident.customer_answered_at = at
        incident.save(update_fields=["customer_answer", "customer_answered_at"])
        return steps.event(incident, ANSWER_EVENTS[answer], at=at, by=None, channel=Channel.SMS, detail=text)


def incident_note_add(
    *, incident: Incident, text: str, by: User | None, at: datetime, channel: str = Channel.TECHNICIAN
) -> TimelineEvent:
    """A free-text line on the incident's timeline, e.g. what the technician found on site."""
    if not text.strip():
        raise InvalidRequest(gettext("Write something in the note."))
    return steps.event(incident, EventKind.NOTE, at=at, by=by, channel=channel, detail=text.strip())
