"""The Redis Stream between intake (push API, polls) and the loader.

Producers XADD in one pipeline per batch; consumers in the group "ingest" read batches with
XREADGROUP, load them, and only then XACK and XDEL. A consumer that dies holding a batch leaves it
pending; after CLAIM_IDLE_SECONDS another consumer takes it over with XAUTOCLAIM, and the loader's
key makes a batch loaded twice harmless. Without a stream URL every batch is loaded in-process."""

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import redis
from django.conf import settings
from django.db import close_old_connections

from telematics.events import TelematicsEvent

logger = logging.getLogger(__name__)

GROUP = "ingest"


def stream_enabled() -> bool:
    return bool(settings.TELEMATICS_STREAM_URL)


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.TELEMATICS_STREAM_URL, socket_connect_timeout=2, socket_timeout=10)


def stream_key() -> str:
    return settings.TELEMATICS["STREAM_KEY"]


def events_enqueue(*, events: Sequence[TelematicsEvent]) -> None:
    """Put events on the stream, one round trip for the batch."""
    if not events:
        return
    pipe = _client().pipeline(transaction=False)
    key = stream_key()
    for event in events:
        pipe.xadd(key, {"e": event.to_wire()})
    pipe.execute()


def group_ensure(client: redis.Redis) -> None:
    try:
        client.xgroup_create(stream_key(), GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


@dataclass
class Batch:
    ids: list[bytes]
    events: list[TelematicsEvent]
    # When each entry was added, in ms since the epoch: a stream id is its arrival time.
    added_ms: list[int]


def _decode(entries) -> Batch:
    ids, events, added_ms = [], [], []
    for entry_id, fields in entries:
        ids.append(entry_id)
        added_ms.append(int(entry_id.split(b"-")[0]))
        try:
            events.append(TelematicsEvent.from_wire(fields[b"e"]))
        except (KeyError, ValueError, TypeError) as error:
            # A malformed entry can never load; acknowledging it keeps it from blocking the rest.
            logger.error("Dropping malformed telematics entry %s: %s", entry_id, error)
    return Batch(ids=ids, events=events, added_ms=added_ms)


def _entries(response) -> list:
    """XREADGROUP on one stream answers [[key, entries]] (RESP2), or nothing."""
    return cast(list, response)[0][1] if response else []


class StreamConsumer:
    """One consumer of the group. Start as many as the volume needs, each with its own name."""

    def __init__(
        self,
        *,
        handle: Callable[[list[TelematicsEvent]], object],
        name: str | None = None,
        batch_size: int | None = None,
        claim_idle_seconds: float | None = None,
        block_ms: int = 1000,
    ):
        self.handle = handle
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.batch_size = batch_size or settings.TELEMATICS["BATCH_SIZE"]
        idle = settings.TELEMATICS["CLAIM_IDLE_SECONDS"] if claim_idle_seconds is None else claim_idle_seconds
        self.claim_idle_ms = int(idle * 1000)
        self.block_ms = block_ms
        self.client = _client()
        group_ensure(self.client)
        # After a start or a failed batch, first read back what this name still holds.
        self._own_pending = True
        self._next_claim = 0.0

    def _claim(self):
        """Entries a dead consumer left pending for longer than the idle time."""
        _next, entries, *_deleted = self.client.xautoclaim(
            stream_key(),
            GROUP,
            self.name,
            min_idle_time=self.claim_idle_ms,
            start_id="0-0",
            count=self.batch_size,
        )
        return [(entry_id, fields) for entry_id, fields in entries if fields]

    def _read(self, block: bool):
        if self._own_pending:
            own = self.client.xreadgroup(GROUP, self.name, {stream_key(): "0"}, count=self.batch_size)
            entries = _entries(own)
            if entries:
                return entries
            self._own_pending = False
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + max(self.claim_idle_ms / 2000, 0.1)
            claimed = self._claim()
            if claimed:
                return claimed
        new = self.client.xreadgroup(
            GROUP,
            self.name,
            {stream_key(): ">"},
            count=self.batch_size,
            block=self.block_ms if block else None,
        )
        return _entries(new)

    def step(self, *, block: bool = True) -> Batch | None:
        """Read one batch, load it, acknowledge it. None when there was nothing to read."""
        entries = self._read(block)
        if not entries:
            return None
        batch = _decode(entries)
        try:
            if batch.events:
                self.handle(batch.events)
        except Exception:
            # Left pending: this consumer reads it back next, or another claims it.
            self._own_pending = True
            raise
        pipe = self.client.pipeline(transaction=False)
        pipe.xack(stream_key(), GROUP, *batch.ids)
        pipe.xdel(stream_key(), *batch.ids)
        pipe.execute()
        return batch

    def drain(self) -> int:
        """Load everything there is now, without waiting; for tests, the demo and the eager mode."""
        loaded = 0
        while (batch := self.step(block=False)) is not None:
            loaded += len(batch.ids)
        return loaded

    def run(
        self, *, should_stop: Callable[[], bool], on_batch: Callable[[Batch], None] | None = None
    ) -> None:
        while not should_stop():
            # A long-running process: drop a connection the database has closed, as a request would.
            close_old_connections()
            try:
                batch = self.step()
            except Exception:
                logger.exception("Telematics batch failed; it stays pending and will be retried.")
                time.sleep(1)
                continue
            if batch is not None and on_batch is not None:
                on_batch(batch)
