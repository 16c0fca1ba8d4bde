"""Writes of the telematics app: reports in (resolved to our machines, onto the stream or loaded
in-process), batches loaded, providers' counters."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from fleet.selectors import machine_ids_by
from telematics import ingest, stream
from telematics.events import TelematicsEvent
from telematics.models import Provider

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
    """Load one batch (the stream consumer's handler, or the in-process path)."""
    with transaction.atomic():
        return ingest.events_load(events=events)


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
    if stream.stream_enabled():
        stream.events_enqueue(events=events)
    else:
        events_ingest(events=events)
    result.accepted = len(events)
    return result
