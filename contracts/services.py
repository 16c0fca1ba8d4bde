"""Writes of the contract: the lines a rental holds and the exchange of the unit on site.

`rental.machine` stays the unit on the open line: every write here keeps the two in step."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from contracts.models import ExchangeReason, RentalLine
from fleet.models import Machine, Rental


class ExchangeError(Exception):
    pass


def rental_open_line(*, rental: Rental) -> RentalLine:
    """The line of the unit on site now; a rental that predates lines gets its first one here."""
    line = RentalLine.objects.select_for_update().filter(rental=rental, off_hire_at__isnull=True).first()
    if line is None:
        line = RentalLine.objects.create(
            rental=rental, machine_id=rental.machine_id, on_hire_at=rental.starts_at
        )
    return line


def rental_exchange(
    *,
    rental: Rental,
    replacement: Machine,
    reason: str,
    at: datetime,
    hour_meter_in: Decimal | None = None,
    hour_meter_out: Decimal | None = None,
) -> tuple[RentalLine, RentalLine]:
    """Swap the unit on the contract: the broken unit's line goes off hire at `at` with its hour
    meter in; the replacement's opens at `at` on the same rate with its hour meter out.

    Readings default to the units' last known hour meters. Returns (closed line, new line)."""
    if reason not in ExchangeReason.values:
        raise ExchangeError(f"The exchange reason is one of {', '.join(ExchangeReason.values)}.")
    with transaction.atomic():
        old = rental_open_line(rental=rental)
        if old.machine_id == replacement.pk:
            raise ExchangeError(f"{replacement.fleet_number} is already the unit on this contract.")
        broken = old.machine
        old.off_hire_at = max(at, old.on_hire_at)
        old.hour_meter_in = hour_meter_in if hour_meter_in is not None else broken.hour_meter
        if (
            old.hour_meter_out is not None
            and old.hour_meter_in is not None
            and old.hour_meter_in < old.hour_meter_out
        ):
            raise ExchangeError(
                f"The hour meter of {broken.fleet_number} cannot read {old.hour_meter_in}: "
                f"it left at {old.hour_meter_out}."
            )
        old.save(update_fields=["off_hire_at", "hour_meter_in"])
        new = RentalLine.objects.create(
            rental=rental,
            machine=replacement,
            on_hire_at=old.off_hire_at,
            hour_meter_out=hour_meter_out if hour_meter_out is not None else replacement.hour_meter,
            rate_eur=old.rate_eur,
            rate_period=old.rate_period,
            exchange_reason=reason,
            replaces=old,
        )
        Rental.objects.filter(pk=rental.pk).update(machine=replacement)
        rental.machine = replacement
    return old, new


def rental_first_line_open(*, instance: Rental, created: bool, raw: bool = False, **_: object) -> None:
    """A new rental (from the API, an import or the admin) starts with its first line."""
    if created and not raw:
        RentalLine.objects.create(
            rental=instance,
            machine_id=instance.machine_id,
            on_hire_at=instance.starts_at,
            hour_meter_out=Machine.objects.filter(pk=instance.machine_id)
            .values_list("hour_meter", flat=True)
            .first(),
        )
