"""Benchmark: a burst of dispatches, each texting its customer an arrival time, through a Twilio
Messaging Service's pool of numbers.

A real Celery worker sends through the real twilio client to the local fake Twilio
(tests/fakes/twilio_server.py), which holds every number of the pool to Twilio's per-number rate
(`--rate` segments a second: 10, Twilio's rate for any number texting outside the US and Canada,
where Pronto's customers are; 1 for a US or Canadian long code) and records when each message leaves
the number's queue for the carrier. The latency is dispatch (committed) -> the arrival-time text
leaving for the carrier: what the customer waits for. First the breakdowns are logged and their
apologies sent (each customer then has their number in the pool), then all dispatches at once.

The reference, computed from the same run's messages: the floor Twilio's rate sets if every
text reached it at the instant of the burst (the pool's, and one number's without a pool).

    sms_burst_reference: pool_floor_p95_s=… single_number_floor_p95_s=… segments=…
    sms_burst: n=50 p50_s=… p95_s=… order_violations=0 lost=0 duplicated=0

Usage: python bench/sms_burst.py [--n 50] [--pool 10] [--rate 10]
It uses its own database (SMS_BENCH_DATABASE_URL, default pronto_bench_sms, emptied each run) and
Redis database (SMS_BENCH_BROKER_URL, default redis://127.0.0.1:6379/14)."""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("SMS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench_sms")
BROKER_URL = os.environ.get("SMS_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")

from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, FakeTwilio  # noqa: E402


def _percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"sms_burst: gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.1)


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


def _floor_p95(segments_by_number: dict[str, list[int]], rate: float) -> float:
    """p95 latency if each number's texts were all queued at Twilio at once, released at `rate`."""
    latencies = []
    for segments in segments_by_number.values():
        waited = 0.0
        for count in segments:
            latencies.append(waited)
            waited += count / rate
    return _percentile(latencies, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="dispatches at once")
    parser.add_argument("--pool", type=int, default=10, help="numbers in the Messaging Service")
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="segments a second per number (Twilio: 10 to Italy, 1 in the US)",
    )
    args = parser.parse_args()

    pool = [f"+3902000002{index:02d}" for index in range(args.pool)]
    fake = FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN).start()
    fake.add_messaging_service(MESSAGING_SERVICE_SID, pool)
    fake.limit_rate(args.rate)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "SMS_BACKEND": "notifications.backends.twilio.TwilioBackend",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": "",
            "TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
            "TWILIO_SENDER_POOL": ",".join(pool),
            "TWILIO_API_BASE_URL": fake.base_url,
            "SMS_RATE_PER_SECOND": str(args.rate),
        }
    )

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from fleet.models import MachineStatus
    from notifications.models import Direction, Message, MessageKind, MessageStatus
    from recovery import services as recovery
    from tests import factories

    _ensure_database()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    redis.Redis.from_url(BROKER_URL).flushdb()

    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=4"),
            *(
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=sms-burst-{os.getpid()}@%h",
            ),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=sys.stderr,  # the worker's banner must not end up after the result line
        start_new_session=True,
    )
    try:
        _wait(lambda: app.control.ping(timeout=0.5), timeout=60, what="the Celery worker")
        branch = factories.BranchFactory()
        category = factories.CategoryFactory(code="telehandler-14m", name="Telehandler 14 m")
        technicians = [
            factories.TechnicianFactory(
                user=factories.UserFactory(role="technician", username=f"tech{i}", first_name="Ilaria"),
                home_branch=branch,
                skills=[category],
            )
            for i in range(10)
        ]
        desk = factories.UserFactory(role="dispatcher", username="desk")
        incidents = []
        for index in range(args.n):
            rental = factories.RentalFactory(
                customer=factories.CustomerFactory(
                    contact_name="Giulia Rossi", mobile=f"+39347{5000000 + index}"
                ),
                machine=factories.MachineFactory(
                    category=category, home_branch=branch, status=MachineStatus.ON_RENT
                ),
                branch=branch,
            )
            incidents.append(
                recovery.incident_log(
                    rental=rental, reported_by=desk, channel="phone", symptom="Boom will not lift"
                )
            )
        replacements = [factories.MachineFactory(category=category, home_branch=branch) for _ in incidents]
        outbound = Message.objects.filter(direction=Direction.OUTBOUND)
        _wait(
            lambda: not outbound.filter(twilio_sid__isnull=True).exists(), timeout=300, what="the apologies"
        )
        time.sleep(2 / args.rate)  # let every number's budget refill, as between two busy moments

        def dispatch(index: int) -> tuple[int, datetime]:
            try:
                recovery.dispatch_start(
                    incident=incidents[index],
                    by=desk,
                    machine=replacements[index],
                    technician=technicians[index % len(technicians)],
                )
                return incidents[index].pk, datetime.now(UTC)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=10) as executor:
            dispatched = dict(executor.map(dispatch, range(args.n)))
        etas = outbound.filter(kind=MessageKind.ETA)
        _wait(
            lambda: etas.count() == args.n and not etas.filter(twilio_sid__isnull=True).exists(),
            timeout=600,
            what="the arrival times",
        )

        at_twilio = {message.sid: message for message in fake.messages}
        latencies = [
            (at_twilio[eta.twilio_sid].date_sent - dispatched[eta.incident_id]).total_seconds()
            for eta in etas
        ]
        segments_by_number: dict[str, list[int]] = defaultdict(list)
        for eta in etas.order_by("created_at"):
            segments_by_number[eta.from_number].append(eta.segments)

        # What the customer's phone shows, in the order the numbers released them, against the ledger.
        received: dict[str, list[str]] = defaultdict(list)
        for message in sorted(fake.messages, key=lambda message: message.date_sent):
            received[message.to].append(message.body)
        ledger: dict[str, list[str]] = defaultdict(list)
        for message in outbound.order_by("created_at", "pk"):
            if message.status not in (MessageStatus.SUPERSEDED, MessageStatus.NOT_SENT):
                ledger[message.to_number].append(message.body)
        order_violations = sum(
            1 for number, bodies in ledger.items() if [b for b in received[number] if b in bodies] != bodies
        )
        lost = sum(1 for number, bodies in ledger.items() for body in bodies if body not in received[number])
        duplicated = sum(len(bodies) - len(set(bodies)) for bodies in received.values())

        total_segments = sum(sum(counts) for counts in segments_by_number.values())
        single = {"one": [count for counts in segments_by_number.values() for count in counts]}
        print(
            f"sms_burst_reference: pool_floor_p95_s={_floor_p95(segments_by_number, args.rate):.2f} "
            f"single_number_floor_p95_s={_floor_p95(single, args.rate):.2f} segments={total_segments} "
            f"pool={args.pool} rate={args.rate:g}",
            flush=True,
        )
        print(
            f"sms_burst: n={args.n} p50_s={statistics.median(latencies):.2f} "
            f"p95_s={_percentile(latencies, 95):.2f} order_violations={order_violations} lost={lost} "
            f"duplicated={duplicated}",
            flush=True,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        fake.stop()


if __name__ == "__main__":
    main()
