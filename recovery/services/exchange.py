"""The swap as the rental system sees it: the exchange on the contract, the work order for the
broken unit, the downtime credit, and the technician's classification of the cause."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contracts.models import RATE_PERIOD_HOURS, ExchangeReason, RentalLine
from contracts.selectors import downtime_terms_for
from contracts.services import ExchangeError, rental_exchange
from core.roles import signed_in
from recovery.errors import IllegalTransition, InvalidRequest, NotPermitted
from recovery.events import IncidentEvent, incident_event_announce
from recovery.models import (
    Cause,
    Channel,
    DowntimeCredit,
    DowntimeCreditStatus,
    EventKind,
    Incident,
    IncidentStatus,
    Severity,
)
from recovery.services import _steps as steps
from recovery.services._steps import User
from workshop.models import BillingType, WorkOrderSeverity, WorkOrderStatus
from workshop.services import work_order_billing_set, work_order_open

CENT = Decimal("0.01")


def swap_on_contract(
    incident: Incident,
    *,
    at: datetime,
    by: User | None,
    channel: str,
    hour_meter_in: Decimal | None = None,
    hour_meter_out: Decimal | None = None,
) -> None:
    """The replacement takes the broken unit's place on the same contract and rate, and the broken
    unit goes to its branch's workshop. Runs inside the recover step's transaction."""
    assert incident.replacement_machine is not None
    damage = incident.cause == Cause.CUSTOMER_DAMAGE
    try:
        closed, opened = rental_exchange(
            rental=incident.rental,
            replacement=incident.replacement_machine,
            reason=ExchangeReason.CUSTOMER_DAMAGE if damage else ExchangeReason.BREAKDOWN,
            at=at,
            hour_meter_in=hour_meter_in,
            hour_meter_out=hour_meter_out,
        )
    except ExchangeError as error:
        raise InvalidRequest(str(error)) from error
    steps.event(
        incident,
        EventKind.EXCHANGED,
        at=at,
        by=by,
        channel=channel,
        detail=f"{closed.machine.fleet_number} off hire, {opened.machine.fleet_number} on hire",
        data={"closed_line_id": closed.pk, "opened_line_id": opened.pk},
    )
    incident_event_announce(incident=incident, event=IncidentEvent.EXCHANGED)
    fault = incident.symptom if not incident.cause_reason else f"{incident.symptom}\n{incident.cause_reason}"
    work_order_open(
        machine=incident.broken_machine,
        severity=(
            WorkOrderSeverity.HARD_DOWN
            if incident.severity == Severity.MACHINE_DOWN
            else WorkOrderSeverity.SOFT_DOWN
        ),
        billing_type=BillingType.CUSTOMER_DAMAGE if damage else BillingType.INTERNAL,
        fault=fault,
        rental=incident.rental,
        incident_number=incident.pk,
        hour_meter=closed.hour_meter_in,
        by=by,
        at=at,
    )


def _line_of_broken_unit(incident: Incident) -> RentalLine | None:
    return (
        RentalLine.objects.filter(rental_id=incident.rental_id, machine_id=incident.broken_machine_id)
        .order_by("-on_hire_at", "-id")
        .first()
    )


def downtime_credit_record(
    incident: Incident, *, at: datetime, by: User | None, channel: str
) -> DowntimeCredit:
    """Compute the downtime credit once, when the machine runs again, and store it on the incident."""
    existing = DowntimeCredit.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    assert incident.recovered_at is not None
    terms = downtime_terms_for(rental=incident.rental)
    line = _line_of_broken_unit(incident)
    start, end = incident.reported_at, incident.recovered_at
    hours = (Decimal((end - start).total_seconds()) / 3600).quantize(CENT, ROUND_HALF_UP)
    late = incident.down_since is not None and (start - incident.down_since).total_seconds() > (
        terms.reporting_window_hours * 3600
    )
    if not terms.suspends_hire:
        status, explanation = DowntimeCreditStatus.NOT_ELIGIBLE, "The contract does not suspend the hire."
    elif late:
        status = DowntimeCreditStatus.NOT_ELIGIBLE
        explanation = f"Reported more than {terms.reporting_window_hours} h after the machine stopped."
    elif incident.cause == Cause.CUSTOMER_DAMAGE and terms.misuse_voids:
        status = DowntimeCreditStatus.NOT_ELIGIBLE
        explanation = f"Customer damage: {incident.cause_reason}"[:255]
    else:
        status = DowntimeCreditStatus.CREDITED
        explanation = f"Hire suspended {hours} h, from the report to running again."
    rate = line.rate_eur if line is not None else None
    period = line.rate_period if line is not None else ""
    amount = None
    if status == DowntimeCreditStatus.CREDITED and rate is not None:
        amount = (rate * hours / RATE_PERIOD_HOURS[period]).quantize(CENT, ROUND_HALF_UP)
    credit = DowntimeCredit.objects.create(
        incident=incident,
        status=status,
        explanation=explanation,
        suspended_from=start,
        suspended_until=end,
        hours=hours if status == DowntimeCreditStatus.CREDITED else Decimal(0),
        amount_eur=amount,
        rate_eur=rate,
        rate_period=period,
        terms_source=terms.source,
        computed_at=at,
    )
    steps.event(
        incident,
        EventKind.DOWNTIME_CREDIT,
        at=at,
        by=None,
        channel=Channel.SYSTEM,
        detail=explanation if amount is None else f"{explanation} €{amount}",
        data={
            "status": status,
            "hours": str(credit.hours),
            "amount_eur": str(amount) if amount is not None else None,
        },
    )
    return credit


def incident_cause_classify(
    *,
    incident: Incident,
    cause: str,
    reason: str,
    by: User,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> Incident:
    """The technician says what broke it. Customer damage names a reason and its author, removes a
    downtime credit already granted (where the terms say misuse voids it) and bills the work order
    to the customer; all of it is on the timeline."""
    at = at or timezone.now()
    if cause not in Cause.values:
        raise InvalidRequest(
            gettext("The cause is one of %(causes)s.") % {"causes": ", ".join(Cause.values)}, field="cause"
        )
    if cause == Cause.CUSTOMER_DAMAGE and not reason.strip():
        raise InvalidRequest(gettext("Say what the customer damaged and how you can tell."), field="reason")
    person = signed_in(by)
    if person is None:
        raise NotPermitted(gettext("Sign in to classify the cause: it names who did."))
    with transaction.atomic():
        incident = steps.lock(incident)
        if incident.status == IncidentStatus.CANCELLED:
            raise IllegalTransition(gettext("This incident was cancelled; there is no cause to classify."))
        if incident.cause == cause and incident.cause_reason == reason.strip():
            return incident  # a repeated report from an offline phone
        incident.cause = cause
        incident.cause_reason = reason.strip()[:255]
        incident.cause_classified_by = person
        incident.cause_classified_at = at
        incident.save(update_fields=["cause", "cause_reason", "cause_classified_by", "cause_classified_at"])
        steps.event(
            incident,
            EventKind.CAUSE_CLASSIFIED,
            at=at,
            by=by,
            channel=channel,
            detail=f"{Cause(cause).label}: {incident.cause_reason}"
            if incident.cause_reason
            else Cause(cause).label,
            data={"cause": cause},
        )
        if cause == Cause.CUSTOMER_DAMAGE:
            _credit_remove(incident, at=at, by=by, channel=channel)
            work_order = incident.broken_machine.work_orders.filter(status=WorkOrderStatus.OPEN).first()
            if work_order is not None:
                work_order_billing_set(work_order=work_order, billing_type=BillingType.CUSTOMER_DAMAGE)
    return incident


def _credit_remove(incident: Incident, *, at: datetime, by: User, channel: str) -> None:
    credit = DowntimeCredit.objects.select_for_update().filter(incident=incident).first()
    if credit is None or credit.status != DowntimeCreditStatus.CREDITED:
        return
    if not downtime_terms_for(rental=incident.rental).misuse_voids:
        return
    credit.status = DowntimeCreditStatus.REMOVED
    credit.removed_at = at
    credit.removed_by = signed_in(by)
    credit.removed_reason = incident.cause_reason
    credit.save(update_fields=["status", "removed_at", "removed_by", "removed_reason"])
    steps.event(
        incident,
        EventKind.DOWNTIME_CREDIT,
        at=at,
        by=by,
        channel=channel,
        detail=f"Removed ({credit.hours} h): customer damage, {incident.cause_reason}",
        data={"status": credit.status, "hours": str(credit.hours)},
    )
    incident_event_announce(incident=incident, event=IncidentEvent.CREDIT_REMOVED)
