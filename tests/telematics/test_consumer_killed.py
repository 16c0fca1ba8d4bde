"""A consumer killed in the middle of a batch loses nothing: the batch stays pending in the
group, another consumer claims it (XAUTOCLAIM), and each report is stored exactly once."""

import signal
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from telematics import stream
from telematics.models import MachineEvent, MachineState
from tests import factories
from tests.helpers import wait_until
from tests.telematics.consumers import start_consumer, stop_consumer
from tests.telematics.helpers import event

pytestmark = pytest.mark.worker


def _pending(consumer: str) -> int:
    entries = stream._client().xpending_range(
        stream.stream_key(), stream.GROUP, "-", "+", 10_000, consumername=consumer
    )
    return len(entries)


def _waiting_on_the_state_table() -> bool:
    with connection.cursor() as cursor:
        # Activity is read once per transaction unless the snapshot is cleared, and we hold one open.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%%telematics_machinestate%%'"
        )
        return cursor.fetchone()[0] == 1


def test_a_consumer_killed_mid_batch_loses_nothing_and_duplicates_nothing(transactional_db, mini, milano):
    machines = [factories.MachineFactory(category=mini, home_branch=milano) for _ in range(3)]
    start = timezone.now() - timedelta(minutes=30)
    reports = [
        event(machine, start + timedelta(seconds=n), lat=45.5 + n / 10_000, lon=9.1, hour_meter=100 + n / 10)
        for n in range(100)
        for machine in machines
    ]
    stream.events_enqueue(events=reports)
    stream.group_ensure(stream._client())

    # Hold the state table so the first consumer stops inside its batch, after reading it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE telematics_machinestate IN EXCLUSIVE MODE")
        first = start_consumer("first", claim_idle=60)
        try:
            wait_until(lambda: _pending("first") == 300 and _waiting_on_the_state_table(), timeout=30)
        finally:
            stop_consumer(first, signal.SIGKILL)

    assert MachineEvent.objects.count() == 0  # the dead consumer committed nothing
    assert _pending("first") == 300  # and the group still knows who held what

    second = start_consumer("second", claim_idle=0.5)
    try:
        wait_until(lambda: MachineEvent.objects.count() == 300 and _pending("first") == 0, timeout=30)
    finally:
        stop_consumer(second)

    assert _pending("second") == 0
    assert stream._client().xlen(stream.stream_key()) == 0
    assert MachineState.objects.filter(machine__in=machines).count() == 3
    last = start + timedelta(seconds=99)
    assert set(MachineState.objects.values_list("position_at", flat=True)) == {last}
