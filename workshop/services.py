"""Writes of the workshop: every machine status change (with its history line), work orders opening
on a swap and closing when the unit is fit to hire again."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.roles import AnyUser, signed_in
from fleet.models import Branch, Machine, MachineStatus, Rental
from workshop.errors import WorkOrderClosed, WorkOrderInvalid
from workshop.events import WorkOrderEvent, work_order_event
from workshop.models import BillingType, MachineStatusChange, WorkOrder, WorkOrderStatus

User = AnyUser


def machine_status_change(
    *, machine: Machine, status: str, at: datetime | None = None, reason: str = ""
) -> bool:
    """Move a machine to `status` and keep the history line; False when it already was there."""
    at = at or timezone.now()
    previous = Machine.objects.filter(pk=machine.pk).values_list("status", flat=True).first() or ""
    machine.status = status
    if previous == status:
        return False
    Machine.objects.filter(pk=machine.pk).update(status=status)
    MachineStatusChange.objects.create(
        machine=machine, status=status, previous_status=previous, at=at, reason=reason[:120]
    )
    return True


def machine_status_recorded(
    *, machine: Machine, status: str, previous: str, at: datetime, reason: str
) -> None:
    """History for a change another service made with its own conditional UPDATE (a reservation)."""
    MachineStatusChange.objects.create(
        machine=machine, status=status, previous_status=previous, at=at, reason=reason[:120]
    )


def _announce(work_order: WorkOrder, event: WorkOrderEvent) -> None:
    # send(), not send_robust(): a subscriber's outbox row must commit with the work order or not at all.
    work_order_event.send(sender=WorkOrder, work_order=work_order, event=event)


def work_order_open(
    *,
    machine: Machine,
    severity: str,
    fault: str,
    billing_type: str = BillingType.INTERNAL,
    branch: Branch | None = None,
    rental: Rental | None = None,
    incident_number: int | None = None,
    hour_meter: Decimal | None = None,
    by: User | None = None,
    at: datetime | None = None,
) -> WorkOrder:
    """The unit goes to the workshop: it stays in repair, out of the hire pool, until the order closes."""
    at = at or timezone.now()
    if not fault.strip():
        raise WorkOrderInvalid("Describe the fault for the workshop.", field="fault")
    with transaction.atomic():
        open_order = WorkOrder.objects.filter(machine=machine, status=WorkOrderStatus.OPEN).first()
        if open_order is not None:
            # A second breakdown before the repair: the same order carries on, with the new symptom.
            open_order.fault = f"{open_order.fault}\n{fault.strip()}"
            open_order.save(update_fields=["fault"])
            return open_order
        work_order = WorkOrder.objects.create(
            machine=machine,
            branch=branch or machine.home_branch,
            rental=rental,
            incident_number=incident_number,
            severity=severity,
            billing_type=billing_type,
            fault=fault.strip(),
            hour_meter=hour_meter,
            opened_at=at,
            opened_by=signed_in(by),
        )
        machine_status_change(
            machine=machine, status=MachineStatus.IN_REPAIR, at=at, reason=f"WO-{work_order.pk}"
        )
        _announce(work_order, WorkOrderEvent.OPENED)
    return work_order


def work_order_billing_set(*, work_order: WorkOrder, billing_type: str) -> WorkOrder:
    if billing_type not in BillingType.values:
        raise WorkOrderInvalid(
            f"Billing type is one of {', '.join(BillingType.values)}.", field="billing_type"
        )
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        if work_order.status != WorkOrderStatus.OPEN:
            raise WorkOrderClosed(f"WO-{work_order.pk} is closed; its billing can no longer change.")
        work_order.billing_type = billing_type
        work_order.save(update_fields=["billing_type"])
    return work_order


def work_order_close(
    *,
    work_order: WorkOrder,
    resolution: str,
    by: User | None,
    billing_type: str | None = None,
    at: datetime | None = None,
) -> WorkOrder:
    """The repair is done: the unit is available to hire again (only now)."""
    at = at or timezone.now()
    if not resolution.strip():
        raise WorkOrderInvalid("Say what was done to the machine.", field="resolution")
    if billing_type is not None and billing_type not in BillingType.values:
        raise WorkOrderInvalid(
            f"Billing type is one of {', '.join(BillingType.values)}.", field="billing_type"
        )
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update().select_related("machine").get(pk=work_order.pk)
        if work_order.status != WorkOrderStatus.OPEN:
            raise WorkOrderClosed(f"WO-{work_order.pk} was already closed.")
        if at < work_order.opened_at:
            raise WorkOrderInvalid("A work order cannot close before it opened.", field="at")
        work_order.status = WorkOrderStatus.CLOSED
        work_order.closed_at = at
        work_order.closed_by = signed_in(by)
        work_order.resolution = resolution.strip()
        if billing_type is not None:
            work_order.billing_type = billing_type
        work_order.save()
        machine_status_change(
            machine=work_order.machine,
            status=MachineStatus.AVAILABLE,
            at=at,
            reason=f"WO-{work_order.pk} closed",
        )
        _announce(work_order, WorkOrderEvent.CLOSED)
    return work_order
