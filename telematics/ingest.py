"""The loader: a batch of events into the event log and the latest-state rows, in one transaction.

On PostgreSQL the batch goes in with COPY into a session-temporary table, then one INSERT … ON
CONFLICT DO NOTHING into the partitioned log: a report delivered twice (a provider's retry, a
consumer killed before it acknowledged) is ignored by the key (machine, occurred_at, kind). The
state rows move each field forward only in the machine's own time, so reports arriving out of
order are harmless. Elsewhere (SQLite for `make run`) the ORM does the same, one event at a time."""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fleet.services import MachinePosition, machine_positions_refresh
from telematics import partitions
from telematics.events import STATE, TelematicsEvent
from telematics.models import MachineEvent, MachineState

logger = logging.getLogger(__name__)

COLUMNS = (
    "machine_id",
    "occurred_at",
    "kind",
    "received_at",
    "provider",
    "lat",
    "lon",
    "hour_meter",
    "engine_running",
    "fault_spn",
    "fault_fmi",
    "fault_severity",
    "fault_description",
    "fault_active",
)
INCOMING = "telematics_incoming"


@dataclass
class LoadResult:
    inserted: int = 0
    duplicates: int = 0
    # Older than the retention or implausibly far in the future: dropped, and logged.
    out_of_range: int = 0
    new_faults: list[TelematicsEvent] = field(default_factory=list)


@dataclass
class _Latest:
    """The newest of each field for one machine within a batch."""

    provider: str
    last_seen_at: datetime
    lat: float | None = None
    lon: float | None = None
    position_at: datetime | None = None
    hour_meter: Decimal | None = None
    hour_meter_at: datetime | None = None
    engine_running: bool | None = None
    engine_at: datetime | None = None


def _latest_per_machine(events: Sequence[TelematicsEvent]) -> dict[int, _Latest]:
    latest: dict[int, _Latest] = {}
    for e in events:
        row = latest.get(e.machine_id)
        if row is None:
            row = latest[e.machine_id] = _Latest(provider=e.provider, last_seen_at=e.occurred_at)
        elif e.occurred_at > row.last_seen_at:
            row.last_seen_at, row.provider = e.occurred_at, e.provider
        if e.has_position and (row.position_at is None or e.occurred_at > row.position_at):
            row.lat, row.lon, row.position_at = e.lat, e.lon, e.occurred_at
        if e.hour_meter is not None and (row.hour_meter_at is None or e.occurred_at > row.hour_meter_at):
            row.hour_meter, row.hour_meter_at = e.hour_meter, e.occurred_at
        if e.engine_running is not None and (row.engine_at is None or e.occurred_at > row.engine_at):
            row.engine_running, row.engine_at = e.engine_running, e.occurred_at
    return latest


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _copy_rows(events: Sequence[TelematicsEvent], received_at: datetime) -> io.StringIO:
    """COPY's text format, written by hand: this runs for every report, thousands a second."""
    received = received_at.isoformat()
    lines = []
    for e in events:
        f = e.fault
        fault = (
            f"{f.spn}\t{f.fmi}\t{f.severity}\t{_text(f.description)}\t{_value(f.active)}"
            if f
            else "\\N\t\\N\t\t\t\\N"
        )
        lines.append(
            f"{e.machine_id}\t{e.occurred_at.isoformat()}\t{e.kind}\t{received}\t{_text(e.provider)}\t"
            f"{_value(e.lat)}\t{_value(e.lon)}\t{_value(e.hour_meter)}\t{_value(e.engine_running)}\t{fault}\n"
        )
    return io.StringIO("".join(lines))


def _insert_postgresql(events: Sequence[TelematicsEvent], received_at: datetime) -> set[tuple]:
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        # Per connection: COPY cannot skip duplicates, the INSERT below can. Emptied first too,
        # for a caller that loads two batches in one transaction.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {INCOMING} "
            f"(LIKE {partitions.PARENT} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {INCOMING}")
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        raw.copy_expert(f"COPY {INCOMING} ({columns}) FROM STDIN", _copy_rows(events, received_at))
        cursor.execute(
            f"INSERT INTO {partitions.PARENT} ({columns}) SELECT {columns} FROM {INCOMING} "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING machine_id, occurred_at, kind"
        )
        return {(machine_id, occurred_at, kind) for machine_id, occurred_at, kind in cursor.fetchall()}


def _state_upsert_postgresql(latest: dict[int, _Latest]) -> None:
    rows = list(latest.items())
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO telematics_machinestate AS s
                (machine_id, provider, last_seen_at, lat, lon, position_at, hour_meter, hour_meter_at,
                 engine_running, engine_at, active_faults)
            SELECT machine_id, provider, last_seen_at, lat, lon, position_at, hour_meter, hour_meter_at,
                   engine_running, engine_at, '[]'::jsonb
              FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::float8[], %s::float8[],
                          %s::timestamptz[], %s::numeric[], %s::timestamptz[], %s::boolean[],
                          %s::timestamptz[])
                   AS n(machine_id, provider, last_seen_at, lat, lon, position_at, hour_meter,
                        hour_meter_at, engine_running, engine_at)
            ON CONFLICT (machine_id) DO UPDATE SET
                provider = CASE WHEN excluded.last_seen_at > s.last_seen_at
                                THEN excluded.provider ELSE s.provider END,
                last_seen_at = GREATEST(s.last_seen_at, excluded.last_seen_at),
                lat = CASE WHEN excluded.position_at > coalesce(s.position_at, '-infinity')
                           THEN excluded.lat ELSE s.lat END,
                lon = CASE WHEN excluded.position_at > coalesce(s.position_at, '-infinity')
                           THEN excluded.lon ELSE s.lon END,
                position_at = GREATEST(s.position_at, excluded.position_at),
                hour_meter = CASE WHEN excluded.hour_meter_at > coalesce(s.hour_meter_at, '-infinity')
                                  THEN excluded.hour_meter ELSE s.hour_meter END,
                hour_meter_at = GREATEST(s.hour_meter_at, excluded.hour_meter_at),
                engine_running = CASE WHEN excluded.engine_at > coalesce(s.engine_at, '-infinity')
                                      THEN excluded.engine_running ELSE s.engine_running END,
                engine_at = GREATEST(s.engine_at, excluded.engine_at)
            """,
            [
                [machine_id for machine_id, _ in rows],
                [r.provider for _, r in rows],
                [r.last_seen_at for _, r in rows],
                [r.lat for _, r in rows],
                [r.lon for _, r in rows],
                [r.position_at for _, r in rows],
                [r.hour_meter for _, r in rows],
                [r.hour_meter_at for _, r in rows],
                [r.engine_running for _, r in rows],
                [r.engine_at for _, r in rows],
            ],
        )


def _insert_orm(events: Sequence[TelematicsEvent], received_at: datetime) -> set[tuple]:
    new = set()
    for e in events:
        if MachineEvent.objects.filter(
            machine_id=e.machine_id, occurred_at=e.occurred_at, kind=e.kind
        ).exists():
            continue
        f = e.fault
        MachineEvent.objects.create(
            machine_id=e.machine_id,
            occurred_at=e.occurred_at,
            kind=e.kind,
            received_at=received_at,
            provider=e.provider,
            lat=e.lat,
            lon=e.lon,
            hour_meter=e.hour_meter,
            engine_running=e.engine_running,
            fault_spn=f.spn if f else None,
            fault_fmi=f.fmi if f else None,
            fault_severity=f.severity if f else "",
            fault_description=f.description if f else "",
            fault_active=f.active if f else None,
        )
        new.add(e.key)
    return new


def _newer(candidate: datetime | None, stored: datetime | None) -> bool:
    return candidate is not None and (stored is None or candidate > stored)


def _state_upsert_orm(latest: dict[int, _Latest]) -> None:
    for machine_id, r in latest.items():
        state, _ = MachineState.objects.select_for_update().get_or_create(
            machine_id=machine_id, defaults={"last_seen_at": r.last_seen_at, "provider": r.provider}
        )
        if r.last_seen_at > state.last_seen_at:
            state.last_seen_at, state.provider = r.last_seen_at, r.provider
        if _newer(r.position_at, state.position_at):
            state.lat, state.lon, state.position_at = r.lat, r.lon, r.position_at
        if _newer(r.hour_meter_at, state.hour_meter_at):
            state.hour_meter, state.hour_meter_at = r.hour_meter, r.hour_meter_at
        if _newer(r.engine_at, state.engine_at):
            state.engine_running, state.engine_at = r.engine_running, r.engine_at
        state.save()


def events_load(*, events: Sequence[TelematicsEvent], now: datetime | None = None) -> LoadResult:
    """Store a batch: the log, the latest state, live positions of available machines. Returns the
    fault events that were new, for the fault rules to judge (a repeated one was judged already)."""
    now = now or timezone.now()
    config = settings.TELEMATICS
    oldest = partitions.day_start((now - timedelta(days=config["RETENTION_DAYS"])).date())
    newest = now + timedelta(minutes=config["CLOCK_TOLERANCE_MINUTES"])
    result = LoadResult()
    unique: dict[tuple, TelematicsEvent] = {}
    for e in events:
        if not oldest <= e.occurred_at <= newest:
            result.out_of_range += 1
        else:
            unique.setdefault(e.key, e)
    if result.out_of_range:
        logger.warning(
            "Dropped %d telematics events outside retention or from the future.", result.out_of_range
        )
    batch = list(unique.values())
    if not batch:
        result.duplicates = len(events) - result.out_of_range
        return result
    with transaction.atomic():
        if partitions.partitioned():
            partitions.partitions_ensure(days={e.occurred_at.astimezone(oldest.tzinfo).date() for e in batch})
            new = _insert_postgresql(batch, now)
            latest = _latest_per_machine(batch)
            _state_upsert_postgresql(latest)
        else:
            new = _insert_orm(batch, now)
            latest = _latest_per_machine(batch)
            _state_upsert_orm(latest)
        machine_positions_refresh(
            positions=[
                MachinePosition(machine_id, r.lat, r.lon, r.position_at)
                for machine_id, r in latest.items()
                if r.position_at is not None and r.lat is not None and r.lon is not None
            ]
        )
    result.inserted = len(new)
    result.duplicates = len(events) - result.out_of_range - result.inserted
    result.new_faults = sorted(
        (e for e in batch if e.kind != STATE and e.key in new), key=lambda e: e.occurred_at
    )
    return result
