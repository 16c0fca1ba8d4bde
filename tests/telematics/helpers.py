"""Helpers for the telematics tests: events, and draining the stream the way a consumer does."""

from datetime import datetime
from decimal import Decimal

from telematics import services, stream
from telematics.events import FaultReading, TelematicsEvent


def event(machine, at: datetime, **fields) -> TelematicsEvent:
    fault = fields.pop("fault", None)
    if isinstance(fault, dict):
        fault = FaultReading(**fault)
    if "hour_meter" in fields and fields["hour_meter"] is not None:
        fields["hour_meter"] = Decimal(str(fields["hour_meter"]))
    return TelematicsEvent(machine_id=machine.pk, occurred_at=at, provider="trackunit", fault=fault, **fields)


def drain() -> int:
    """Load everything on the test's stream, as `telematics_consume --drain` would."""
    consumer = stream.StreamConsumer(handle=lambda events: services.events_ingest(events=events), name="test")
    return consumer.drain()
