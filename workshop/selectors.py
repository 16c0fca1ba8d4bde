"""Reads of the workshop: open orders and the days each unit spent out of service."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from fleet.models import Machine, MachineStatus
from workshop.models import MachineStatusChange, WorkOrder, WorkOrderStatus

# Out of service: the unit could not be hired out, through no choice of ours.
OUT_OF_SERVICE = frozenset({MachineStatus.BROKEN, MachineStatus.IN_REPAIR})


def work_order_list() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related("machine", "machine__category", "branch", "rental__customer")


def open_work_orders() -> QuerySet[WorkOrder]:
    return work_order_list().filter(status=WorkOrderStatus.OPEN).order_by("opened_at", "id")


@dataclass(frozen=True)
class OutOfService:
    machine_id: int
    fleet_number: str
    days: float


def days_out_of_service(
    *, since: datetime, until: datetime, machine: Machine | None = None
) -> list[OutOfService]:
    """Days each unit spent broken or in repair between `since` and `until`, worst first."""
    changes = (
        MachineStatusChange.objects.filter(at__lt=until)
        .select_related("machine")
        .order_by("machine_id", "at", "id")
    )
    if machine is not None:
        changes = changes.filter(machine=machine)
    totals: dict[int, timedelta] = {}
    names: dict[int, str] = {}
    current: dict[int, tuple[str, datetime]] = {}
    for change in changes:
        names[change.machine_id] = change.machine.fleet_number
        previous = current.get(change.machine_id)
        if previous is not None:
            _add(totals, change.machine_id, previous, change.at, since)
        current[change.machine_id] = (change.status, change.at)
    for machine_id, previous in current.items():
        _add(totals, machine_id, previous, until, since)
    figures = [
        OutOfService(machine_id=pk, fleet_number=names[pk], days=round(spent.total_seconds() / 86400, 2))
        for pk, spent in totals.items()
        if spent > timedelta(0)
    ]
    return sorted(figures, key=lambda figure: (-figure.days, figure.fleet_number))


def _add(
    totals: dict[int, timedelta], machine_id: int, state: tuple[str, datetime], end: datetime, since: datetime
) -> None:
    status, start = state
    if status in OUT_OF_SERVICE:
        start = max(start, since)
        if end > start:
            totals[machine_id] = totals.get(machine_id, timedelta(0)) + (end - start)
