"""The fault rules at work: a fault code as it lights up and clears, judged by the one rules table.

A fault that comes back within the rule's debounce window (repeated, or flapping off and on) is
the same fault and acts once. On a machine on rent a rule may open a suspected incident for the
dispatcher; in the yard, or where the rule says so, the branch's workshop gets a note."""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fleet.models import Machine, MachineStatus, Rental, RentalStatus
from recovery import services as recovery
from recovery.errors import IllegalTransition
from recovery.models import Channel, Incident, IncidentStatus
from telematics.events import FaultReading, TelematicsEvent
from telematics.models import FaultAction, FaultRule, FaultSeverity, MachineFault, MachineState, WorkshopNote

logger = logging.getLogger(__name__)

DEFAULT_DEBOUNCE = timedelta(minutes=30)


def rule_for(*, fault: FaultReading, rules: Sequence[FaultRule]) -> FaultRule | None:
    """The most specific rule: SPN and FMI, then SPN alone, then the severity."""
    for rule in rules:
        if rule.spn == fault.spn and rule.fmi == fault.fmi:
            return rule
    for rule in rules:
        if rule.spn == fault.spn and rule.fmi is None:
            return rule
    for rule in rules:
        if rule.spn is None and rule.severity == fault.severity:
            return rule
    return None


def working_hours(moment: datetime) -> bool:
    config = settings.TELEMATICS
    local = timezone.localtime(moment)
    return local.weekday() < 5 and config["WORKING_HOURS_START"] <= local.hour < config["WORKING_HOURS_END"]


def fault_text(fault: FaultReading) -> str:
    return f"{fault.description or 'Fault'} ({fault.code})"[:255]


def _active_faults_refresh(machine_id: int) -> None:
    codes = [
        f"SPN {spn} FMI {fmi}"
        for spn, fmi in MachineFault.objects.filter(machine_id=machine_id, cleared_at__isnull=True)
        .order_by("first_seen_at")
        .values_list("spn", "fmi")
    ]
    MachineState.objects.filter(machine_id=machine_id).update(active_faults=codes)


def _engine_stopped(machine_id: int) -> bool:
    state = MachineState.objects.filter(machine_id=machine_id).only("engine_running").first()
    return state is not None and state.engine_running is False


def _confirms_itself(*, fault: MachineFault, rental: Rental) -> bool:
    """A stop-severity fault is a breakdown without a dispatcher checking when the customer asked
    for that, or when the machine has stopped during working hours (falling silent afterwards is
    the sweep's to notice: suspected_incidents_escalate)."""
    if fault.severity != FaultSeverity.STOP:
        return False
    if rental.customer.telematics_auto_confirm:
        return True
    return working_hours(fault.last_seen_at) and _engine_stopped(fault.machine_id)


def _act(fault: MachineFault, machine: Machine) -> None:
    if fault.action == FaultAction.NOTHING:
        return
    rental = (
        Rental.objects.select_related("customer", "branch")
        .filter(machine=machine, status=RentalStatus.ACTIVE)
        .first()
    )
    if rental is not None and machine.status != MachineStatus.ON_RENT:
        rental = None  # a rental not yet handed over: the machine is still ours, in the yard
    if rental is not None and fault.action == FaultAction.SUSPECT_INCIDENT:
        try:
            incident = recovery.incident_suspect(
                rental=rental, fault_text=fault_text(_reading(fault)), fault_at=fault.first_seen_at
            )
        except IllegalTransition:
            # The customer called first, or another fault already opened one: that incident stands.
            logger.info(
                "%s already has an open incident; fault %s noted only.", machine.fleet_number, fault.code
            )
            return
        fault.incident = incident
        fault.save(update_fields=["incident"])
        if _confirms_itself(fault=fault, rental=rental):
            recovery.incident_confirm(incident=incident, by=None, channel=Channel.TELEMATICS)
        return
    where = f"on rent ({rental.customer.company}, {rental.site_address})" if rental else "in the yard"
    WorkshopNote.objects.create(
        machine=machine,
        branch=rental.branch if rental else machine.home_branch,
        fault=fault,
        text=f"{machine.fleet_number} {where}: {fault_text(_reading(fault))}"[:255],
        opened_at=fault.first_seen_at,
    )


def _reading(fault: MachineFault) -> FaultReading:
    return FaultReading(fault.spn, fault.fmi, fault.severity, fault.description)


def fault_observe(*, event: TelematicsEvent, rules: Sequence[FaultRule]) -> MachineFault | None:
    """One fault report: a new fault (judged by its rule), the same one again, or its clearing."""
    reading = event.fault
    assert reading is not None
    rule = rule_for(fault=reading, rules=rules)
    debounce = timedelta(minutes=rule.debounce_minutes) if rule else DEFAULT_DEBOUNCE
    at = event.occurred_at
    latest = (
        MachineFault.objects.select_for_update()
        .filter(machine_id=event.machine_id, spn=reading.spn, fmi=reading.fmi)
        .order_by("-first_seen_at")
        .first()
    )
    if not reading.active:
        # Cleared, unless this "off" is older than the last "on" we have (reports arrive late).
        if latest is not None and latest.cleared_at is None and at >= latest.last_seen_at:
            latest.cleared_at = at
            latest.save(update_fields=["cleared_at"])
            _active_faults_refresh(event.machine_id)
        return latest
    if latest is not None and at >= latest.first_seen_at - debounce:
        back_soon = latest.cleared_at is not None and at - latest.cleared_at <= debounce
        if latest.cleared_at is None or back_soon:
            if back_soon:
                latest.flaps += 1
                latest.cleared_at = None
            latest.last_seen_at = max(latest.last_seen_at, at)
            latest.save(update_fields=["flaps", "cleared_at", "last_seen_at"])
            _active_faults_refresh(event.machine_id)
            return latest
    machine = Machine.objects.get(pk=event.machine_id)
    fault = MachineFault.objects.create(
        machine=machine,
        spn=reading.spn,
        fmi=reading.fmi,
        severity=reading.severity,
        description=reading.description,
        first_seen_at=at,
        last_seen_at=at,
        action=rule.action if rule else FaultAction.NOTHING,
    )
    _active_faults_refresh(event.machine_id)
    _act(fault, machine)
    return fault


def faults_judge(*, events: Sequence[TelematicsEvent]) -> int:
    """Judge each new fault report, oldest first. One that fails is logged and skipped (its own
    savepoint), so a bad rule never holds back the batch it came in."""
    if not events:
        return 0
    rules = list(FaultRule.objects.all())
    judged = 0
    for event in sorted(events, key=lambda e: e.occurred_at):
        try:
            with transaction.atomic():
                fault_observe(event=event, rules=rules)
            judged += 1
        except Exception:
            logger.exception("Could not judge fault %s of machine %s.", event.kind, event.machine_id)
    return judged


def suspected_incidents_escalate(*, now: datetime | None = None) -> int:
    """A machine with a stop-severity fault that has since gone silent during working hours is a
    breakdown: confirm its suspected incident, so the customer hears from us first."""
    now = now or timezone.now()
    if not working_hours(now):
        return 0
    silent_since = now - timedelta(minutes=settings.TELEMATICS["SILENT_MINUTES"])
    incident_ids = (
        MachineFault.objects.filter(
            severity=FaultSeverity.STOP,
            cleared_at__isnull=True,
            incident__status=IncidentStatus.SUSPECTED,
            machine__telematics__last_seen_at__lt=silent_since,
        )
        .values_list("incident_id", flat=True)
        .distinct()
    )
    confirmed = 0
    for incident in Incident.objects.filter(pk__in=list(incident_ids)):
        try:
            recovery.incident_confirm(incident=incident, by=None, channel=Channel.TELEMATICS, at=now)
            confirmed += 1
        except IllegalTransition:
            continue  # a dispatcher got there a moment earlier
    return confirmed
