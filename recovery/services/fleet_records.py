"""Changes to fleet records that recovery owns while a breakdown is open: a machine's status and a
rental's machine, recovery SLA and status. The fleet API makes them read-only; they change here,
and never under an open incident, where they follow the incident's steps."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from contracts.models import ExchangeReason
from contracts.services import ExchangeError, rental_exchange
from fleet.models import Machine, MachineStatus, Rental, RentalStatus
from recovery.errors import InvalidRequest, MachineUnavailable, OpenIncident
from recovery.models import OPEN_STATUSES, Incident
from workshop import services as workshop
from workshop.models import WorkOrderStatus

# Reserved comes only from a reservation and on rent only from a rental.
MACHINE_STATUSES_SET_BY_HAND = (
    MachineStatus.AVAILABLE,
    MachineStatus.IN_TRANSIT,
    MachineStatus.BROKEN,
    MachineStatus.IN_REPAIR,
    MachineStatus.RETIRED,
)


def _open_incident_for_machine(machine: Machine) -> Incident | None:
    return (
        Incident.objects.filter(Q(broken_machine=machine) | Q(replacement_machine=machine))
        .filter(status__in=OPEN_STATUSES)
        .first()
    )


@transaction.atomic
def machine_status_change(*, machine: Machine, status: str) -> Machine:
    """Set a machine's status by hand (back from the workshop, retired…), never mid-incident."""
    # The lock makes a breakdown logged at this moment wait for us, then see the new status.
    machine = Machine.objects.select_for_update().get(pk=machine.pk)
    incident = _open_incident_for_machine(machine)
    if incident is not None:
        raise OpenIncident(
            gettext(
                "%(fleet)s is part of open incident %(number)s; its status follows that incident's steps."
            )
            % {"fleet": machine.fleet_number, "number": incident.pk},
            field="status",
        )
    if (
        machine.status == MachineStatus.ON_RENT
        and machine.rentals.filter(status=RentalStatus.ACTIVE).exists()
    ):
        raise OpenIncident(
            gettext("%(fleet)s is on an active rental: end the rental or exchange the machine first.")
            % {"fleet": machine.fleet_number},
            field="status",
        )
    work_order = machine.work_orders.filter(status=WorkOrderStatus.OPEN).first()
    if work_order is not None and status not in (MachineStatus.IN_REPAIR, MachineStatus.RETIRED):
        raise OpenIncident(
            gettext(
                "%(fleet)s is in the workshop on WO-%(order)s: it becomes available when the work order "
                "is closed."
            )
            % {"fleet": machine.fleet_number, "order": work_order.pk},
            field="status",
        )
    workshop.machine_status_change(machine=machine, status=status, reason="set by hand")
    return machine


@transaction.atomic
def rental_terms_change(
    *,
    rental: Rental,
    machine: Machine | None = None,
    recovery_sla_hours: int | None = None,
    status: str | None = None,
) -> Rental:
    """Exchange the rental's machine, change its recovery SLA or end (or reopen) it; never while
    the rental has an open incident. An exchange puts the new machine on rent and the old one back
    in the yard as available."""
    rental = Rental.objects.select_for_update().select_related("machine").get(pk=rental.pk)
    incident = Incident.objects.filter(rental=rental, status__in=OPEN_STATUSES).first()
    if incident is not None:
        raise OpenIncident(
            gettext(
                "Rental %(rental)s has open incident %(number)s: its machine, SLA and status change with "
                "that incident's steps."
            )
            % {"rental": rental.pk, "number": incident.pk}
        )
    if recovery_sla_hours is not None:
        rental.recovery_sla_hours = recovery_sla_hours
    new_status = status or rental.status
    if machine is not None and machine.pk != rental.machine_id:
        if new_status == RentalStatus.ACTIVE:
            _put_on_rent(machine)
            _back_to_yard(rental.machine)
        # A planned exchange: the contract's lines follow (the old unit off hire, the new on hire).
        try:
            rental_exchange(
                rental=rental, replacement=machine, reason=ExchangeReason.PLANNED, at=timezone.now()
            )
        except ExchangeError as error:
            raise InvalidRequest(str(error), field="machine") from error
    elif status is not None and status != rental.status:
        if status == RentalStatus.ACTIVE:
            _put_on_rent(rental.machine)
        else:
            _back_to_yard(rental.machine)
    rental.status = new_status
    rental.save(update_fields=["machine", "recovery_sla_hours", "status"])
    return rental


def _put_on_rent(machine: Machine) -> None:
    claimed = Machine.objects.filter(pk=machine.pk, status=MachineStatus.AVAILABLE).update(
        status=MachineStatus.ON_RENT
    )
    if not claimed:
        raise MachineUnavailable(
            gettext("%(fleet)s is not available.") % {"fleet": machine.fleet_number}, field="machine"
        )
    workshop.machine_status_recorded(
        machine=machine,
        status=MachineStatus.ON_RENT,
        previous=MachineStatus.AVAILABLE,
        at=timezone.now(),
        reason="on rent",
    )
    machine.status = MachineStatus.ON_RENT


def _back_to_yard(machine: Machine) -> None:
    if Machine.objects.filter(pk=machine.pk, status=MachineStatus.ON_RENT).update(
        status=MachineStatus.AVAILABLE
    ):
        workshop.machine_status_recorded(
            machine=machine,
            status=MachineStatus.AVAILABLE,
            previous=MachineStatus.ON_RENT,
            at=timezone.now(),
            reason="back in the yard",
        )
        machine.status = MachineStatus.AVAILABLE
