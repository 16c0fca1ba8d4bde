"""Writes on the fleet's field crews: where a technician is and whether they are on shift.

Both take the device's own event time, because phones report late; an older report never
overwrites a newer one."""

from datetime import datetime

from django.db import transaction

from fleet.models import Technician


def technician_position_update(*, technician: Technician, lat: float, lon: float, at: datetime) -> bool:
    """Move the technician to (lat, lon) as of `at`; False when we already know a newer position."""
    with transaction.atomic():
        # The conditional UPDATE keeps the newest position even when two batches race.
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
