"""Recovery figures for Prometheus, read from the database at scrape time (see core.metrics)."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric

from recovery import selectors

# Half an hour is a great recovery, a day is a lost customer.
RECOVERY_BUCKETS_MINUTES = (30, 60, 120, 240, 480, 1440)


class RecoveryCollector:
    """Open incidents by status, and the time-to-recovery histogram of every recovered incident."""

    def collect(self) -> Iterator[Metric]:
        open_now = GaugeMetricFamily(
            "pronto_incidents_open", "Incidents not yet recovered or cancelled, by status.", labels=["status"]
        )
        for status, count in selectors.open_incident_counts_by_status().items():
            open_now.add_metric([str(status)], count)
        yield open_now

        histogram = selectors.time_to_recovery_histogram(bucket_minutes=RECOVERY_BUCKETS_MINUTES)
        # Built from stored durations, not observed in-process: every web worker reports the same.
        yield HistogramMetricFamily(
            "pronto_time_to_recovery_minutes",
            "Breakdown reported to machine running again, in minutes (Incident.time_to_recovery).",
            buckets=[
                *((str(int(le)), count) for le, count in histogram.buckets),
                ("+Inf", histogram.count),
            ],
            sum_value=histogram.sum_minutes,
        )
