"""The demo company's telematics: a push provider, a first report from every machine that carries a
PIN (three in five), and the faults `manage.py simulate_fault` sends as a provider would."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from fleet.models import Machine
from telematics import services
from telematics.events import FaultReading
from telematics.models import Provider, ProviderKind

DEMO_PROVIDER = "demo-trackers"

# What simulate_fault sends unless told otherwise: the engine is overheating, a red lamp.
DEFAULT_FAULT = FaultReading(spn=110, fmi=0, severity="red", description="Engine coolant temperature high")


def demo_provider() -> Provider:
    provider, _ = Provider.objects.get_or_create(name=DEMO_PROVIDER, defaults={"kind": ProviderKind.PUSH})
    return provider


def demo_reports_seed(*, at: datetime | None = None) -> services.SubmitResult:
    """One report from each machine with a tracker: where it is, its hour meter, engine off."""
    at = at or timezone.now()
    machines = (
        Machine.objects.exclude(pin="")
        .exclude(lat__isnull=True)
        .values_list("pin", "lat", "lon", "hour_meter")
    )
    reports = [
        services.Report(
            identifier=pin,
            by="pin",
            event={
                "occurred_at": at,
                "lat": lat,
                "lon": lon,
                "hour_meter": Decimal(hours),
                "engine_running": False,
            },
        )
        for pin, lat, lon, hours in machines
    ]
    return services.reports_submit(provider=demo_provider(), reports=reports)


def demo_fault_send(
    *, machine: Machine, fault: FaultReading, at: datetime | None = None
) -> services.SubmitResult:
    """The machine's tracker reports a fault, through the same intake as a real provider's push."""
    report = services.Report(
        identifier=machine.fleet_number,
        by="fleet_number",
        event={"occurred_at": at or timezone.now(), "engine_running": False, "fault": fault},
    )
    return services.reports_submit(provider=demo_provider(), reports=[report])
