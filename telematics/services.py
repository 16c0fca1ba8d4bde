"""Writes of the telematics app: reports in (resolved to our machines, onto the stream or loaded
in-process), batches loaded, providers' counters."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fleet.selectors import machine_ids_by
from telematics import faults, ingest, stream
from telematics.events import FaultReading, TelematicsEvent
from telematics.iso15143 import EquipmentSnapshot, Iso15143Client, ProviderError, RetryLater
from telematics.models import FaultSeriesCursor, Provider, ProviderKind

logger = logging.getLogger(__name__)


@dataclass
class Report:
    """A report as a provider names the machine: by PIN, serial number or our fleet number."""

    identifier: str
    by: str  # "pin", "serial_number" or "fleet_number"
    event: dict  # TelematicsEvent's fields except machine_id and provider


@dataclass
class SubmitResult:
    accepted: int = 0
    unknown: list[str] = field(default_factory=list)


def events_ingest(*, events: Sequence[TelematicsEvent]) -> ingest.LoadResult:
    """Load one batch and judge its new faults, in one transaction: the stream consumer's handler,
    or the in-process path. A batch loaded again finds its faults judged already."""
    with transaction.atomic():
        result = ingest.events_load(events=events)
        faults.faults_judge(events=result.new_faults)
    return result


def reports_submit(*, provider: Provider, reports: Sequence[Report]) -> SubmitResult:
    """Resolve the machines, count the unknown ones, and hand the events on: onto the stream, or
    loaded at once where there is no stream (`make run`)."""
    ids: dict[tuple[str, str], int] = {}
    for by in {r.by for r in reports}:
        found = machine_ids_by(identifier=by, values=(r.identifier for r in reports if r.by == by))
        ids.update({(by, identifier): pk for identifier, pk in found.items()})
    result = SubmitResult()
    events = []
    for report in reports:
        machine_id = ids.get((report.by, report.identifier))
        if machine_id is None:
            if report.identifier not in result.unknown:
                result.unknown.append(report.identifier)
            continue
        events.append(TelematicsEvent(machine_id=machine_id, provider=provider.name, **report.event))
    if result.unknown:
        unknown_count = len(reports) - len(events)
        logger.warning(
            "Telematics provider %s reported %d events for machines we do not have: %s",
            provider.name,
            unknown_count,
            ", ".join(result.unknown[:20]),
        )
        Provider.objects.filter(pk=provider.pk).update(
            unknown_reports=F("unknown_reports") + unknown_count, last_unknown_machine=result.unknown[-1][:60]
        )
    _events_submit(events)
    result.accepted = len(events)
    return result


def _events_submit(events: list[TelematicsEvent]) -> None:
    if stream.stream_enabled():
        stream.events_enqueue(events=events)
    else:
        events_ingest(events=events)


# --- polling ISO 15143-3 providers ---------------------------------------------------------------


def providers_due(*, now: datetime) -> list[int]:
    return list(
        Provider.objects.filter(kind=ProviderKind.ISO15143, enabled=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .values_list("pk", flat=True)
    )


def provider_poll_claim(*, provider_id: int, now: datetime) -> Provider | None:
    """Take the provider's turn with one conditional UPDATE, so two workers never poll it twice."""
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        return None
    claimed = (
        Provider.objects.filter(pk=provider_id, enabled=True, kind=ProviderKind.ISO15143)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .update(next_poll_at=now + timedelta(seconds=provider.poll_interval_seconds))
    )
    return provider if claimed else None


def _snapshot_reports(snapshot: EquipmentSnapshot) -> list[Report]:
    """One event per moment: the standard stamps each element with its own datetime."""
    by_time: dict[datetime, dict] = {}
    if snapshot.location:
        lat, lon = cast(tuple[float, float], snapshot.location.value)
        by_time.setdefault(snapshot.location.at, {}).update(lat=lat, lon=lon)
    if snapshot.operating_hours:
        by_time.setdefault(snapshot.operating_hours.at, {})["hour_meter"] = snapshot.operating_hours.value
    if snapshot.engine_running:
        by_time.setdefault(snapshot.engine_running.at, {})["engine_running"] = snapshot.engine_running.value
    identifier, by = (snapshot.pin, "pin") if snapshot.pin else (snapshot.serial_number, "serial_number")
    if not identifier:
        return []
    return [
        Report(identifier=identifier, by=by, event={"occurred_at": at, **values})
        for at, values in by_time.items()
    ]


@dataclass
class PollResult:
    machines: int = 0
    accepted: int = 0
    faults: int = 0
    unknown: list[str] = field(default_factory=list)
    retry_after: int | None = None


def provider_poll(*, provider: Provider, now: datetime | None = None) -> PollResult:
    """Read a provider's fleet snapshot, then each known machine's fault codes since the last point
    we read. A 429 stops the poll and sets the next one after the server's Retry-After."""
    now = now or timezone.now()
    config = settings.TELEMATICS
    client = Iso15143Client(
        base_url=provider.base_url, api_key=provider.api_key, timeout=config["HTTP_TIMEOUT_SECONDS"]
    )
    result = PollResult()
    try:
        snapshots = list(client.fleet())
        result.machines = len(snapshots)
        reports = [report for snapshot in snapshots for report in _snapshot_reports(snapshot)]
        submitted = reports_submit(provider=provider, reports=reports)
        result.accepted, result.unknown = submitted.accepted, submitted.unknown
        result.faults = _fault_series_poll(provider=provider, client=client, snapshots=snapshots, now=now)
    except RetryLater as wait:
        result.retry_after = wait.seconds
        Provider.objects.filter(pk=provider.pk).update(
            next_poll_at=now + timedelta(seconds=wait.seconds), last_error=str(wait)[:255]
        )
        logger.warning("Telematics provider %s: %s", provider.name, wait)
        return result
    except ProviderError as error:
        Provider.objects.filter(pk=provider.pk).update(last_error=str(error)[:255])
        logger.warning("Telematics provider %s: %s", provider.name, error)
        raise
    Provider.objects.filter(pk=provider.pk).update(last_polled_at=now, last_error="")
    return result


def _fault_series_poll(
    *, provider: Provider, client: Iso15143Client, snapshots: list[EquipmentSnapshot], now: datetime
) -> int:
    pins = {s.pin: s for s in snapshots if s.pin and s.equipment_id}
    serials = {s.serial_number: s for s in snapshots if not s.pin and s.serial_number and s.equipment_id}
    machines = {
        **{pk: pins[pin] for pin, pk in machine_ids_by(identifier="pin", values=pins).items()},
        **{pk: serials[sn] for sn, pk in machine_ids_by(identifier="serial_number", values=serials).items()},
    }
    cursors = {
        c.machine_id: c for c in FaultSeriesCursor.objects.filter(provider=provider, machine_id__in=machines)
    }
    history = timedelta(hours=settings.TELEMATICS["FAULT_HISTORY_HOURS"])
    total = 0
    for machine_id, snapshot in machines.items():
        cursor = cursors.get(machine_id)
        # The series' times are whole seconds: start one second after the last point we have.
        start = cursor.last_point_at + timedelta(seconds=1) if cursor else now - history
        points = list(client.fault_codes(equipment_id=snapshot.equipment_id, start=start, end=now))
        if not points:
            continue
        events = [
            TelematicsEvent(
                machine_id=machine_id,
                occurred_at=p.at,
                provider=provider.name,
                fault=FaultReading(p.spn, p.fmi, p.severity, p.description, active=True),
            )
            for p in points
        ]
        _events_submit(events)
        FaultSeriesCursor.objects.update_or_create(
            provider=provider,
            machine_id=machine_id,
            defaults={"equipment_id": snapshot.equipment_id, "last_point_at": max(p.at for p in points)},
        )
        total += len(events)
    return total
