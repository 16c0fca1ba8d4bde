"""A recycled gunicorn worker's metric files are folded into one archive: the totals stay, the files go."""

import os
import subprocess
import sys
import textwrap

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from core.metrics import dead_worker_archive

WORKER = textwrap.dedent(
    """
    from prometheus_client import Counter, Histogram
    served = Counter("served", "Requests served.", ["route"])
    latency = Histogram("latency_seconds", "Latency.", ["route"], buckets=(0.1, 1.0))
    for _ in range({n}):
        served.labels(route="board").inc()
        latency.labels(route="board").observe(0.05)
    print(__import__("os").getpid())
    """
)


def run_worker(directory, requests: int) -> int:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    out = subprocess.run(
        [sys.executable, "-c", WORKER.format(n=requests)], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def scrape(directory) -> dict[tuple, float]:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): round(sample.value, 6)
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
    }


def test_dead_workers_files_fold_into_one_archive_and_the_totals_stay(tmp_path):
    pids = [run_worker(tmp_path, requests) for requests in (3, 4, 5)]
    before = scrape(tmp_path)

    for pid in pids:
        dead_worker_archive(pid=pid, directory=str(tmp_path))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_archive.db", "histogram_archive.db"]
    after = scrape(tmp_path)
    assert after == before
    assert after[("served_total", (("route", "board"),))] == 12
    assert after[("latency_seconds_bucket", (("le", "0.1"), ("route", "board")))] == 12
