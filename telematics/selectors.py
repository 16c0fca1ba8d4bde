"""Reads of the telematics app."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from fleet.models import Machine, MachineStatus


@dataclass(frozen=True)
class Coverage:
    rented: int
    reporting: int

    @property
    def pct(self) -> float | None:
        return 100 * self.reporting / self.rented if self.rented else None


def rented_fleet_coverage(
    *, now: datetime | None = None, within: timedelta = timedelta(hours=24)
) -> Coverage:
    """How much of the fleet on rent we would hear from: machines on rent that reported recently."""
    since = (now or timezone.now()) - within
    rented = Machine.objects.filter(status=MachineStatus.ON_RENT)
    return Coverage(
        rented=rented.count(), reporting=rented.filter(telematics__last_seen_at__gte=since).count()
    )
