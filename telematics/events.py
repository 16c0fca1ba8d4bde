"""A telematics event as it travels: from the push API or a poll, through the Redis Stream, into
the loader. Machines are already resolved to our ids; the wire form is compact JSON."""

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from telematics.models import FaultSeverity

STATE = "state"


@dataclass(frozen=True, slots=True)
class FaultReading:
    spn: int
    fmi: int
    severity: str
    description: str = ""
    active: bool = True

    @property
    def code(self) -> str:
        return f"SPN {self.spn} FMI {self.fmi}"


@dataclass(frozen=True, slots=True)
class TelematicsEvent:
    machine_id: int
    occurred_at: datetime
    provider: str = ""
    lat: float | None = None
    lon: float | None = None
    hour_meter: Decimal | None = None
    engine_running: bool | None = None
    fault: FaultReading | None = None

    @property
    def kind(self) -> str:
        # Two faults in one instant are two events; a plain report and a fault are two as well.
        return STATE if self.fault is None else f"fault:{self.fault.spn}:{self.fault.fmi}"

    @property
    def key(self) -> tuple[int, datetime, str]:
        return (self.machine_id, self.occurred_at, self.kind)

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_wire(self) -> str:
        f = self.fault
        return json.dumps(
            [
                self.machine_id,
                self.occurred_at.isoformat(),
                self.provider,
                self.lat,
                self.lon,
                None if self.hour_meter is None else str(self.hour_meter),
                self.engine_running,
                *((f.spn, f.fmi, f.severity, f.description, f.active) if f else ()),
            ],
            separators=(",", ":"),
        )

    @classmethod
    def from_wire(cls, raw: str | bytes) -> "TelematicsEvent":
        values = json.loads(raw)
        machine_id, occurred_at, provider, lat, lon, hour_meter, engine_running = values[:7]
        fault = None
        if len(values) > 7:
            spn, fmi, severity, description, active = values[7:12]
            if severity not in FaultSeverity.values:
                raise ValueError(f"Unknown fault severity {severity!r}.")
            fault = FaultReading(int(spn), int(fmi), severity, description, bool(active))
        occurred = datetime.fromisoformat(occurred_at)
        if occurred.tzinfo is None:
            raise ValueError("An event time without a time zone.")
        return cls(
            machine_id=int(machine_id),
            occurred_at=occurred,
            provider=provider,
            lat=None if lat is None else float(lat),
            lon=None if lon is None else float(lon),
            hour_meter=None if hour_meter is None else Decimal(hour_meter),
            engine_running=engine_running,
            fault=fault,
        )
