"""Benchmark: the replacement search at 10k, 100k and 1M machines on PostgreSQL.

For random breakdowns near the demo company's branches it times three things on the same data
in the same run: the project's suggestion service (the code the API calls), a raw-SQL nearest
query (the floor: what the database alone costs), and a brute-force geopy scan of every
available candidate (what the index saves). One line per fleet size, the 1M one last:

    nearest: n=1000000 p50_ms=… p95_ms=… sql_p95_ms=… ratio=… bruteforce_p95_ms=…

Usage: python bench/nearest.py [--sizes 10000,100000,1000000] [--queries 1000]
It seeds a dedicated database (BENCH_DATABASE_URL, default pronto_bench), never the demo one."""

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

RAW_NEAREST_SQL = """
SELECT m.id, earth_distance(ll_to_earth(m.lat, m.lon), ll_to_earth(%(lat)s, %(lon)s)) AS metres
FROM unnest(%(categories)s::bigint[]) AS c(category_id)
CROSS JOIN LATERAL (
    SELECT id, lat, lon FROM fleet_machine
    WHERE status = 'available' AND lat IS NOT NULL AND category_id = c.category_id
    ORDER BY ll_to_earth(lat, lon) <-> ll_to_earth(%(lat)s, %(lon)s)
    LIMIT 5
) AS m
ORDER BY metres
LIMIT 5
"""


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


def _percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def _breakdowns(rng: random.Random, count: int, branches, categories) -> list[tuple]:
    """Job sites 3-45 km from a random branch, each with a random broken machine category."""
    sites = []
    for _ in range(count):
        branch = rng.choice(branches)
        km, bearing = rng.uniform(3, 45), math.radians(rng.uniform(0, 360))
        lat = branch.lat + km * math.cos(bearing) / 111.32
        lon = branch.lon + km * math.sin(bearing) / (111.32 * math.cos(math.radians(branch.lat)))
        sites.append((rng.choice(categories), (lat, lon)))
    return sites


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def bench_size(size: int, queries: int, bruteforce_queries: int, reseed: bool) -> str:
    from django.core.management import call_command
    from django.db import connection
    from geopy.distance import geodesic

    from fleet.models import Branch, Machine, MachineCategory, MachineStatus
    from fleet.selectors import category_with_substitutes
    from recovery.selectors import replacement_suggestions

    if reseed or Machine.objects.count() != size:
        started = time.perf_counter()
        call_command("seed_demo", reset=True, machines=size, seed=7, verbosity=0)
        print(f"seeded n={size} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE fleet_machine")

    rng = random.Random(size)
    branches = list(Branch.objects.all())
    categories = list(MachineCategory.objects.all())
    accepted = {c.id: [cat.id for cat, _ in category_with_substitutes(category=c)] for c in categories}
    workload = _breakdowns(rng, queries + 30, branches, categories)

    def project(category, site):
        return replacement_suggestions(category=category, site=site)

    def raw_sql(cursor, category, site):
        cursor.execute(RAW_NEAREST_SQL, {"categories": accepted[category.id], "lat": site[0], "lon": site[1]})
        return cursor.fetchall()

    def bruteforce(cursor, category, site):
        cursor.execute(
            "SELECT m.id, m.lat, m.lon, b.average_road_speed_kmh FROM fleet_machine m "
            "JOIN fleet_branch b ON b.id = m.home_branch_id "
            "WHERE m.status = %s AND m.lat IS NOT NULL AND m.category_id = ANY(%s)",
            [MachineStatus.AVAILABLE, accepted[category.id]],
        )
        rows = cursor.fetchall()
        return sorted(rows, key=lambda r: geodesic((r[1], r[2]), site).km / r[3])[:5]

    project_ms, sql_ms, brute_ms = [], [], []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: no Django in the way
        for index, (category, site) in enumerate(workload):
            p = _time(lambda c=category, s=site: project(c, s))
            q = _time(lambda c=category, s=site: raw_sql(raw, c, s))
            if index >= 30:  # the first 30 warm caches and connections
                project_ms.append(p)
                sql_ms.append(q)
        for category, site in workload[30 : 30 + bruteforce_queries]:
            brute_ms.append(_time(lambda c=category, s=site: bruteforce(raw, c, s)))

    p95, sql_p95 = _percentile(project_ms, 95), _percentile(sql_ms, 95)
    return (
        f"nearest: n={size} p50_ms={statistics.median(project_ms):.2f} p95_ms={p95:.2f} "
        f"sql_p95_ms={sql_p95:.2f} ratio={p95 / sql_p95:.2f} "
        f"bruteforce_p95_ms={_percentile(brute_ms, 95):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--bruteforce-queries", type=int, default=10)
    parser.add_argument("--reseed", action="store_true", help="Seed even when the size already matches.")
    args = parser.parse_args()

    import django

    django.setup()
    _ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for size in sorted(int(s) for s in args.sizes.split(",")):
        print(bench_size(size, args.queries, args.bruteforce_queries, args.reseed), flush=True)


if __name__ == "__main__":
    main()
