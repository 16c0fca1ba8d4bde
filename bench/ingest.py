"""Benchmark: telematics ingestion, from the Redis Stream into the day-partitioned log.

Two phases on the same data, with `--consumers` consumer processes (the code `manage.py
telematics_consume` runs):
  1. capacity: a backlog of `--backlog` reports is drained; events_per_s is what the consumers load;
  2. sustained: reports are offered at `--rate` per second for `--seconds`; p95_lag_ms is the time
     from XADD to the committed batch, per report.
A few percent of the reports are sent twice, as providers' retries do: every unique report must be
stored exactly once (lost=0 duplicated=0). The reference, measured in the same run, is a raw COPY
of the same rows into a bare table: what PostgreSQL alone costs. Last line:

    ingest: events_per_s=… p95_lag_ms=… lost=0 duplicated=0 raw_copy_rows_per_s=… consumers=2

Usage: python bench/ingest.py [--machines 10000] [--backlog 100000] [--rate 5000] [--seconds 20]
It uses its own database (BENCH_INGEST_DATABASE_URL, default pronto_bench_ingest) and its own stream
key on BENCH_REDIS_URL (default redis://127.0.0.1:6379/0)."""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get(
    "BENCH_INGEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench_ingest"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
STREAM_KEY = f"pronto:bench:telematics:{uuid.uuid4().hex}"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["CELERY_BROKER_URL"] = REDIS_URL
os.environ["TELEMATICS_STREAM_URL"] = REDIS_URL
os.environ["TELEMATICS_STREAM_KEY"] = STREAM_KEY
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each consumer answers for its batch within a second or two; claim a dead one's quickly.
os.environ.setdefault("TELEMATICS_CLAIM_IDLE_SECONDS", "30")

DUPLICATE_SHARE = 0.03


def _ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


def _setup(machines: int) -> list[int]:
    import django

    django.setup()
    _ensure_database()
    from django.core.management import call_command

    from fleet.models import Machine

    call_command("migrate", verbosity=0)
    if Machine.objects.count() < machines:
        call_command("seed_demo", machines=machines, reset=True, verbosity=0)
    from telematics.models import MachineEvent, MachineState

    MachineEvent.objects.all().delete()
    MachineState.objects.all().delete()
    return list(Machine.objects.order_by("pk").values_list("pk", flat=True)[:machines])


def _reports(machine_ids: list[int], count: int, start: datetime, rng: random.Random):
    """Positions, hour meters and engine states as trackers send them, one per machine in turn."""
    from telematics.events import TelematicsEvent

    events = []
    for n in range(count):
        machine_id = machine_ids[n % len(machine_ids)]
        events.append(
            TelematicsEvent(
                machine_id=machine_id,
                occurred_at=start + timedelta(milliseconds=n),
                provider="bench",
                lat=45.0 + rng.random(),
                lon=9.0 + rng.random(),
                hour_meter=Decimal(f"{rng.uniform(10, 9000):.1f}"),
                engine_running=rng.random() < 0.6,
            )
        )
    return events


def _with_retries(events, rng: random.Random):
    """The same reports with a few sent again, out of order, as a provider's retries arrive."""
    again = rng.sample(events, int(len(events) * DUPLICATE_SHARE))
    mixed = events + again
    # Shuffle within windows of 500: late and repeated, but not hours out of order.
    for i in range(0, len(mixed), 500):
        window = mixed[i : i + 500]
        rng.shuffle(window)
        mixed[i : i + 500] = window
    return mixed


def _consumer(name: str, stop, lags, loaded) -> None:
    from django.db import connections

    connections.close_all()
    from telematics import services, stream

    def on_batch(batch) -> None:
        done = time.time() * 1000
        lags.put([done - added for added in batch.added_ms])
        with loaded.get_lock():
            loaded.value += len(batch.ids)

    consumer = stream.StreamConsumer(
        handle=lambda events: services.events_ingest(events=events), name=name, block_ms=200
    )
    consumer.run(should_stop=stop.is_set, on_batch=on_batch)


def _start_consumers(count: int):
    ctx = multiprocessing.get_context("fork")
    stop, lags, loaded = ctx.Event(), ctx.Queue(), ctx.Value("q", 0)
    processes = [ctx.Process(target=_consumer, args=(f"bench-{n}", stop, lags, loaded)) for n in range(count)]
    from django.db import connections

    connections.close_all()
    for process in processes:
        process.start()
    return processes, stop, lags, loaded


def _drain_lags(lags) -> list[float]:
    samples = []
    while not lags.empty():
        samples.extend(lags.get())
    return samples


def _wait_loaded(loaded, target: int, lags, timeout: float) -> list[float]:
    samples = []
    deadline = time.monotonic() + timeout
    while loaded.value < target and time.monotonic() < deadline:
        samples.extend(_drain_lags(lags))
        time.sleep(0.05)
    if loaded.value < target:
        raise SystemExit(f"Consumers loaded {loaded.value} of {target} entries in {timeout:.0f} s.")
    return samples + _drain_lags(lags)


def _raw_copy_rows_per_s(events) -> float:
    """The floor: COPY of the same rows into a bare table, no key, no state, no stream."""
    from django.db import connection, transaction

    from telematics import ingest

    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_raw (LIKE telematics_machineevent) ON COMMIT DROP")
        started = time.perf_counter()
        buffer = ingest._copy_rows(events, now)
        cursor.cursor.copy_expert(f"COPY bench_raw ({', '.join(ingest.COLUMNS)}) FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
    return len(events) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--machines", type=int, default=10_000)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument(
        "--rate", type=int, default=5_000, help="Reports offered per second (sustained phase)."
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--consumers", type=int, default=2)
    args = parser.parse_args()

    machine_ids = _setup(args.machines)
    from django.db import connection

    from telematics import stream

    rng = random.Random(7)
    client = stream._client()
    stream.group_ensure(client)
    start = datetime.now(UTC) - timedelta(hours=2)
    backlog = _reports(machine_ids, args.backlog, start, rng)
    sustained = _reports(machine_ids, args.rate * args.seconds, start + timedelta(hours=1), rng)
    unique = len(backlog) + len(sustained)
    try:
        # 1. Capacity: a backlog drained as fast as the consumers go.
        offered = _with_retries(backlog, rng)
        for i in range(0, len(offered), 1000):
            stream.events_enqueue(events=offered[i : i + 1000])
        processes, stop, lags, loaded = _start_consumers(args.consumers)
        started = time.perf_counter()
        _wait_loaded(loaded, len(offered), lags, timeout=600)
        events_per_s = len(offered) / (time.perf_counter() - started)
        print(f"capacity: {len(offered)} reports in {len(offered) / events_per_s:.1f} s", file=sys.stderr)

        # 2. Sustained: reports offered at the rate, lag measured per report.
        offered_sustained = _with_retries(sustained, rng)
        target = loaded.value + len(offered_sustained)
        tick, chunk = 0.1, max(1, args.rate // 10)
        began = time.monotonic()
        for n, i in enumerate(range(0, len(offered_sustained), chunk)):
            stream.events_enqueue(events=offered_sustained[i : i + chunk])
            pause = began + (n + 1) * tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        samples = _wait_loaded(loaded, target, lags, timeout=600)
        lag_samples = samples[-len(offered_sustained) :]
        p95_lag = statistics.quantiles(lag_samples, n=100, method="inclusive")[94]
        stop.set()
        for process in processes:
            process.join(timeout=30)
    finally:
        client.delete(STREAM_KEY)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT (machine_id, occurred_at, kind)) FROM telematics_machineevent"
        )
        rows, distinct = cursor.fetchone()
    lost = unique - distinct
    duplicated = rows - distinct
    raw_copy = _raw_copy_rows_per_s(backlog)
    print(
        f"ingest: events_per_s={events_per_s:.0f} p95_lag_ms={p95_lag:.0f} lost={lost} "
        f"duplicated={duplicated} "
        f"raw_copy_rows_per_s={raw_copy:.0f} offered_per_s={args.rate} consumers={args.consumers}",
        flush=True,
    )


if __name__ == "__main__":
    main()
