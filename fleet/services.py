"""Writes of the fleet domain that carry a rule: field crews' positions and shifts, machines' live
positions from telematics, and a customer's erasure.

Crews' writes take the device's own event time, because phones report late; an older report never
overwrites a newer one."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from fleet.models import Customer, Machine, MachineStatus, Rental, Technician


def technician_position_update(*, technician: Technician, lat: float, lon: float, at: datetime) -> bool:
    """Move the technician to (lat, lon) as of `at`; False when we already know a newer position."""
    # One conditional UPDATE, atomic on its own: it keeps the newest position even when two batches race.
    updated = (
        Technician.objects.filter(pk=technician.pk)
        .exclude(position_updated_at__gte=at)
        .update(lat=lat, lon=lon, position_updated_at=at)
    )
    if updated:
        technician.lat, technician.lon, technician.position_updated_at = lat, lon, at
    return bool(updated)


def technician_shift_set(*, technician: Technician, on_shift: bool, at: datetime) -> Technician:
    """Start or end a shift. A change older than the last one recorded is ignored, not applied."""
    with transaction.atomic():
        technician = (
            Technician.objects.select_for_update().select_related("user", "home_branch").get(pk=technician.pk)
        )
        if technician.shift_changed_at is None or at >= technician.shift_changed_at:
            technician.on_shift = on_shift
            technician.shift_changed_at = at
            technician.save(update_fields=["on_shift", "shift_changed_at"])
    return technician


@dataclass(frozen=True, slots=True)
class MachinePosition:
    machine_id: int
    lat: float
    lon: float
    at: datetime


# About 50 m: a parked machine's GPS wanders by a few metres and must not rewrite the KNN index.
POSITION_MOVE_DEGREES = 0.0005


def machine_positions_refresh(*, positions: Sequence[MachinePosition]) -> int:
    """Move available machines to where their telematics says they are, so the replacement search
    ranks them from there. Only available machines: a machine on rent is at the customer's site
    (the rental says where), and only newer and real moves are written. Returns how many moved."""
    if not positions:
        return 0
    if connection.vendor == "postgresql":
        # One statement per batch: telematics reports thousands of positions a second.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE fleet_machine AS m
                   SET lat = p.lat, lon = p.lon, position_updated_at = p.at
                  FROM unnest(%s::bigint[], %s::float8[], %s::float8[], %s::timestamptz[])
                       AS p(machine_id, lat, lon, at)
                 WHERE m.id = p.machine_id
                   AND m.status = %s
                   AND (m.position_updated_at IS NULL OR m.position_updated_at < p.at)
                   AND (m.lat IS NULL OR abs(m.lat - p.lat) > %s OR abs(m.lon - p.lon) > %s)
                """,
                [
                    [p.machine_id for p in positions],
                    [p.lat for p in positions],
                    [p.lon for p in positions],
                    [p.at for p in positions],
                    MachineStatus.AVAILABLE,
                    POSITION_MOVE_DEGREES,
                    POSITION_MOVE_DEGREES,
                ],
            )
            return cursor.rowcount
    moved = 0
    for p in positions:
        moved += (
            Machine.objects.filter(pk=p.machine_id, status=MachineStatus.AVAILABLE)
            .filter(Q(position_updated_at__isnull=True) | Q(position_updated_at__lt=p.at))
            .exclude(
                lat__range=(p.lat - POSITION_MOVE_DEGREES, p.lat + POSITION_MOVE_DEGREES),
                lon__range=(p.lon - POSITION_MOVE_DEGREES, p.lon + POSITION_MOVE_DEGREES),
            )
            .update(lat=p.lat, lon=p.lon, position_updated_at=p.at)
        )
    return moved


# Reserved and never routable: "+0" is no country code, so nothing can text from or to it.
ERASED_MOBILE = "+000000000"
# Two decimals is about 1 km: still the right town for regional figures, no longer a house.
ERASED_SITE_DECIMALS = 2


def erased_company(customer_id: int) -> str:
    return f"Erased customer #{customer_id}"


ERASED_CONTACT_NAME = "Erased customer"


@transaction.atomic
def customer_anonymise(*, customer: Customer, at: datetime) -> Customer:
    """Replace the customer's own personal data with placeholders and stop every SMS to them.

    The row stays: rentals, incidents and their recovery figures still point at it."""
    customer.company = erased_company(customer.pk)
    customer.contact_name = ERASED_CONTACT_NAME
    customer.form_of_address = ""
    customer.mobile = ERASED_MOBILE
    customer.sms_consent = False
    customer.sms_opted_out_at = customer.sms_opted_out_at or at
    customer.erased_at = customer.erased_at or at
    # update(), not save(): the placeholder is deliberately not a valid number.
    Customer.objects.filter(pk=customer.pk).update(
        company=customer.company,
        contact_name=customer.contact_name,
        form_of_address="",
        mobile=customer.mobile,
        sms_consent=False,
        sms_opted_out_at=customer.sms_opted_out_at,
        erased_at=customer.erased_at,
    )
    return customer


def customer_rental_sites_erase(*, customer: Customer) -> int:
    """A job site can be someone's home: drop the address, keep the town-level position."""
    rentals = list(Rental.objects.filter(customer=customer).only("pk", "site_lat", "site_lon"))
    for rental in rentals:
        Rental.objects.filter(pk=rental.pk).update(
            site_address=f"Erased site (rental #{rental.pk})",
            site_lat=round(rental.site_lat, ERASED_SITE_DECIMALS),
            site_lon=round(rental.site_lon, ERASED_SITE_DECIMALS),
        )
    return len(rentals)


def customer_sms_opt_out(*, mobile: str, at: datetime) -> int:
    """The person at this number texted STOP (or Twilio says they did): no more texts to them.

    The first opt-out time is kept; a repeated STOP changes nothing."""
    return Customer.objects.filter(mobile=mobile, sms_opted_out_at__isnull=True).update(sms_opted_out_at=at)


def customer_sms_opt_in(*, mobile: str) -> int:
    """The person at this number texted START: they receive texts again."""
    return Customer.objects.filter(mobile=mobile).update(sms_opted_out_at=None)


def customer_channel_choose(*, mobile: str, channel: str) -> int:
    """The person at this number replied WHATSAPP or SMS: our texts go that way from now on."""
    return Customer.objects.filter(mobile=mobile).update(channel_preference=channel)
