"""SMS figures for Prometheus, read from the ledger at scrape time (see core.metrics)."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from notifications import selectors
from notifications.models import Direction, MessageStatus


class SmsLedgerCollector:
    """How many texts the ledger holds in each status. A gauge, not a counter: rows move on
    (queued -> sent -> delivered), so a status's count can go down."""

    def collect(self) -> Iterator[Metric]:
        counts = selectors.message_counts_by_status()
        gauge = GaugeMetricFamily(
            "pronto_sms_messages",
            "SMS in the ledger by direction and status (delivered, failed, undelivered...).",
            labels=["direction", "status"],
        )
        # Every pair is always present, so a rate or an alert never sees a series vanish.
        for direction in Direction.values:
            for status in MessageStatus.values:
                gauge.add_metric([direction, status], counts.get((direction, status), 0))
        yield gauge
