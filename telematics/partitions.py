"""Day partitions of the event table on PostgreSQL: created ahead of time, dropped after retention.

Dropping a day is one DROP TABLE instead of a DELETE of millions of rows and the vacuum after it.
Days are UTC days."""

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.utils import ProgrammingError

logger = logging.getLogger(__name__)

PARENT = "telematics_machineevent"
PREFIX = f"{PARENT}_p"

# Partitions this process has seen committed; creating one is rare, checking every batch is not.
_known: set[date] = set()


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def partition_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def partitions_existing() -> set[date]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = %s::regclass
            """,
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    return {datetime.strptime(name.removeprefix(PREFIX), "%Y%m%d").date() for name in names}


def partitions_ensure(*, days: Iterable[date]) -> list[date]:
    """Make sure a partition exists for each day; returns the days created."""
    if not partitioned():
        return []
    missing = set(days) - _known
    if not missing:
        return []
    existing = partitions_existing()
    # Remembered once committed: a batch that rolls back takes a partition it created with it.
    transaction.on_commit(lambda: _known.update(existing))
    created = []
    for day in sorted(missing - existing):
        try:
            # A savepoint: another consumer may create the same day at the same moment.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF {PARENT} "
                    "FOR VALUES FROM (%s) TO (%s)",
                    [day_start(day), day_start(day + timedelta(days=1))],
                )
            created.append(day)
        except ProgrammingError:
            logger.info("Telematics partition %s was created by another process.", day)
        transaction.on_commit(partial(_known.add, day))
    return created


def partitions_maintain(
    *, today: date, ahead_days: int, retention_days: int
) -> tuple[list[date], list[date]]:
    """Create today's and the next `ahead_days` partitions; drop those older than retention."""
    if not partitioned():
        return [], []
    created = partitions_ensure(days=[today + timedelta(days=n) for n in range(ahead_days + 1)])
    oldest_kept = today - timedelta(days=retention_days)
    dropped = []
    for day in sorted(partitions_existing()):
        if day < oldest_kept:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {partition_name(day)}")
            _known.discard(day)
            dropped.append(day)
    return created, dropped
