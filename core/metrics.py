"""Prometheus metrics: request latency measured in-process, and gauges computed at scrape time.

Other apps add scrape-time metrics (counts read from the database, for instance) by calling
`register_collector()` from their `AppConfig.ready()` with an object that has a `collect()`
method yielding `prometheus_client.core` metric families; it runs once per scrape, so keep it
to one or two indexed queries."""

import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.mmap_dict import MmapedDict

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "pronto_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL route name, method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Any other verb a client invents would become a new time series.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Collector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


_scrape_time_collectors: list[Collector] = []


def register_collector(collector: Collector) -> Collector:
    """Adds a collector that runs on every scrape of /metrics. Safe to call twice."""
    if collector not in _scrape_time_collectors:
        _scrape_time_collectors.append(collector)
    return collector


class _ScrapeTimeCollectors:
    """Every registered collector behind one registry entry."""

    def describe(self) -> list[Metric]:
        # Without describe(), registering would call collect() (and query the database) at import.
        return []

    def collect(self) -> Iterator[Metric]:
        for collector in list(_scrape_time_collectors):
            try:
                yield from collector.collect()
            except Exception:
                # One broken collector must not blank out every other metric.
                logger.exception("metrics collector %r failed", collector)


_SCRAPE_TIME = _ScrapeTimeCollectors()
REGISTRY.register(_SCRAPE_TIME)


def _redis_queue_keys(queue: str) -> list[str]:
    # kombu's Redis transport keeps one list per priority step: "<queue>" and "<queue>\x06\x16<n>".
    return [queue] + [f"{queue}\x06\x16{step}" for step in (3, 6, 9)]


class CeleryQueueDepthCollector:
    """Messages waiting in the default Celery queue, read from Redis when scraped."""

    def collect(self) -> Iterator[Metric]:
        broker_url = settings.CELERY_BROKER_URL
        if not broker_url.startswith(("redis://", "rediss://")):
            return
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        up = GaugeMetricFamily("pronto_celery_broker_up", "1 when the Celery broker answered the scrape.")
        try:
            client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)
            with client, client.pipeline(transaction=False) as pipe:
                for key in _redis_queue_keys(queue):
                    pipe.llen(key)
                depth = sum(pipe.execute())
        except redis.RedisError:
            logger.warning("metrics: the Celery broker did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        gauge = GaugeMetricFamily(
            "pronto_celery_queue_depth", "Celery messages waiting to be picked up.", labels=["queue"]
        )
        gauge.add_metric([queue], depth)
        yield gauge


register_collector(CeleryQueueDepthCollector())


def exposition() -> bytes:
    """The text a scrape gets: from every gunicorn worker when running multi-process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each gunicorn worker has its own counters; a scrape lands on one worker, so
        # read all of them from the shared directory instead.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_SCRAPE_TIME)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


# Metric files that add up over a worker's life; a recycled worker's are folded into an archive.
_ACCUMULATING = ("counter", "histogram", "summary")


def dead_worker_archive(*, pid: int, directory: str) -> None:
    """Fold a dead gunicorn worker's counters and histograms into one archive file per metric type,
    and delete its files. Each worker writes its own files, and every scrape reads them all: left
    alone, recycled workers pile up files and a scrape slows down (1 s at 5,000 files). Runs in
    gunicorn's master (child_exit), one worker at a time."""
    multiprocess.mark_process_dead(pid, directory)  # its live gauges
    for kind in _ACCUMULATING:
        dead = os.path.join(directory, f"{kind}_{pid}.db")
        if not os.path.exists(dead):
            continue
        archive = os.path.join(directory, f"{kind}_archive.db")
        totals: dict[str, float] = defaultdict(float)
        for path in (archive, dead):
            if os.path.exists(path):
                for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(path):
                    totals[key] += value
        # Written aside (a scrape reads only *.db) and swapped in whole.
        staged = f"{archive}.new"
        store = MmapedDict(staged)
        for key, value in totals.items():
            store.write_value(key, value, 0.0)
        store.close()
        os.replace(staged, archive)
        os.remove(dead)


class RequestMetricsMiddleware:
    """Observes request latency, labelled by route name so ids in paths do not explode series."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(
            route=_route_name(request),
            method=request.method if request.method in _KNOWN_METHODS else "other",
            status=str(response.status_code),
        ).observe(time.perf_counter() - started)
        return response


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unmatched"
