"""Load machines' reports from the Redis Stream into PostgreSQL, batch by batch.

Run one per core the volume needs; each process is a consumer of the same group, so they share
the work. SIGTERM finishes the batch in hand; a SIGKILL loses nothing (another consumer claims it)."""

import signal
import time

from django.core.management.base import BaseCommand

from telematics import services, stream


class Command(BaseCommand):
    help = "Consume the telematics stream: bulk-load reports and keep each machine's latest state."

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Consumer name (default: host and process id).")
        parser.add_argument("--batch-size", type=int, help="Entries per batch (TELEMATICS_BATCH_SIZE).")
        parser.add_argument(
            "--claim-idle", type=float, help="Seconds before a dead consumer's batch is claimed."
        )
        parser.add_argument("--drain", action="store_true", help="Load what is there now, then stop.")

    def handle(self, *args, **options):
        if not stream.stream_enabled():
            self.stdout.write("No telematics stream configured: reports are loaded as they arrive.")
            return
        consumer = stream.StreamConsumer(
            handle=lambda events: services.events_ingest(events=events),
            name=options["name"],
            batch_size=options["batch_size"],
            claim_idle_seconds=options["claim_idle"],
        )
        if options["drain"]:
            self.stdout.write(f"Loaded {consumer.drain()} reports.")
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Consuming {stream.stream_key()} as {consumer.name}.")
        loaded, since = 0, time.monotonic()

        def progress(batch: stream.Batch) -> None:
            nonlocal loaded, since
            loaded += len(batch.ids)
            if time.monotonic() - since >= 60:
                self.stdout.write(f"{consumer.name}: {loaded} reports in the last minute.")
                loaded, since = 0, time.monotonic()

        consumer.run(should_stop=lambda: stopping, on_batch=progress)
