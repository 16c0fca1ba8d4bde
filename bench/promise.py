"""Benchmark: how often the promised arrival is kept, against today's straight-line promise.

Replays simulated journeys on a generated road network served by a real osrm-routed. Each journey:
a branch's crew (at the yard or out on the road) drives to the machine's yard, loads it, and tows
it to a job site. The "true" time is the road time with per-branch congestion by hour, loading
time that varies, driving noise and the occasional accident. Pronto plans on the road network,
learns its corrections (recovery.learning.fit_corrections) on the first 60 % of journeys and
promises the rest; the straight-line promise (geodesic x circuity / depot speed + loading, the
machine only) is judged on the same journeys in the same run. A promise is kept when the crew
arrives by it plus PROMISE_GRACE_MINUTES, as the loyalty figures count it. Last line:

    promise: n=… kept_pct=… median_cushion_min=… mae_min=… straight_line_kept_pct=…
             straight_line_mae_min=… plan_p95_ms=…

plan_p95_ms times the planner itself (recovery.planning.plan_replacements) on 30 candidate
machines and 6 crews with OSRM, its learnt corrections read from PostgreSQL (BENCH_DATABASE_URL).

Usage: python bench/promise.py [--journeys 6000] [--seed 7]"""

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get(
    "BENCH_PROMISE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench_promise"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PREPARATION = 20.0  # minutes, what the planner assumes (ETA_PREPARATION_MINUTES)
GRACE = 10.0  # minutes (PROMISE_GRACE_MINUTES)
CIRCUITY, DEPOT_SPEED = 1.3, 60.0  # today's straight-line formula

# name, grid position (row, col), rush-hour congestion: how much slower than free flow at its worst.
BRANCHES = [
    ("Centro", (30, 28), 1.9),
    ("Nord", (52, 20), 1.35),
    ("Sud", (8, 36), 1.5),
    ("Est", (34, 50), 1.25),
    ("Ovest", (26, 6), 1.6),
    ("Fiume", (44, 33), 1.4),
]


def network():
    from tests.fakes.road_network import GridNetwork

    return GridNetwork(
        origin_lat=43.60,
        origin_lon=11.00,
        rows=60,
        cols=60,
        dlat=0.008,
        dlon=0.011,
        arterial_every=5,
        motorway_rows=(15, 45),
        river_after=30,
        bridge_rows=(10, 30, 50),
    )


def congestion(peak: float, hour: int) -> float:
    """Free flow at night, the branch's peak at 8-9 and 17-18, in between on working hours."""
    rush = max(math.exp(-((hour - 8.5) ** 2) / 2), math.exp(-((hour - 17.5) ** 2) / 2))
    day = 0.45 if 7 <= hour <= 19 else 0.0
    return 1 + (peak - 1) * max(rush, day)


def table(url: str, origins: list, destinations: list) -> list[list[float]]:
    import json
    import urllib.request

    points = [*origins, *destinations]
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
    sources = ";".join(str(i) for i in range(len(origins)))
    targets = ";".join(str(len(origins) + j) for j in range(len(destinations)))
    with urllib.request.urlopen(  # noqa: S310 (loopback)
        f"{url}/table/v1/driving/{coordinates}?sources={sources}&destinations={targets}"
    ) as response:
        return json.load(response)["durations"]


def simulate(url: str, grid, count: int, rng: random.Random) -> list[dict]:
    from geopy.distance import geodesic

    journeys = []
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for n in range(count):
        branch_id = rng.randrange(len(BRANCHES))
        _, (row, col), peak = BRANCHES[branch_id]
        yard = grid.point(row, col)
        # The crew: at the yard, or out on another job somewhere in the region.
        crew = yard if rng.random() < 0.55 else grid.point(rng.uniform(2, 57), rng.uniform(2, 57))
        site = grid.point(min(max(row + rng.gauss(0, 12), 1), 58), min(max(col + rng.gauss(0, 12), 1), 58))
        # Working hours mostly; a few at night and at weekends.
        day = start + timedelta(days=rng.randrange(90))
        hour = int(min(max(rng.gauss(12, 3.5), 0), 23)) if rng.random() < 0.9 else rng.randrange(24)
        dispatched = day.replace(hour=hour, minute=rng.randrange(60))
        journeys.append(
            {
                "n": n,
                "branch_id": branch_id,
                "peak": peak,
                "crew": crew,
                "yard": yard,
                "site": site,
                "dispatched": dispatched,
                "straight_minutes": geodesic(yard, site).km * CIRCUITY / DEPOT_SPEED * 60 + PREPARATION,
            }
        )
    # The road times, in batches: one table per journey would take minutes.
    for j in journeys:
        legs = table(url, [j["crew"], j["yard"]], [j["yard"], j["site"]])
        crew_leg, delivery = legs[0][0], legs[1][1]
        j["road_minutes"] = (crew_leg + delivery) / 60 + PREPARATION
        factor = congestion(j["peak"], j["dispatched"].hour)
        driving = (crew_leg + delivery) / 60 * factor * rng.lognormvariate(0, 0.12)
        loading = max(rng.gammavariate(9, PREPARATION / 9), 5)
        accident = rng.uniform(20, 60) if rng.random() < 0.04 else 0.0
        j["actual_minutes"] = driving + loading + accident
    return journeys


def evaluate(journeys: list[dict], *, q: float, minimum: int) -> dict[str, float]:
    from recovery.learning import band_of, default_correction, fit_corrections

    split = int(len(journeys) * 0.6)
    learn, judge = journeys[:split], journeys[split:]
    fitted = fit_corrections(
        ((j["branch_id"], band_of(j["dispatched"]), j["actual_minutes"] / j["road_minutes"]) for j in learn),
        q=q,
        minimum=minimum,
    )
    table_of = {(f.branch_id, f.band): f for f in fitted}
    default = default_correction()
    kept = errors = straight_kept = straight_errors = 0.0
    cushion_list = []
    for j in judge:
        f = table_of.get((j["branch_id"], band_of(j["dispatched"]))) or table_of.get((j["branch_id"], None))
        median_ratio = f.median_ratio if f else default.median_ratio
        promise_ratio = f.promise_ratio if f else default.promise_ratio
        expected, promised = j["road_minutes"] * median_ratio, j["road_minutes"] * promise_ratio
        actual = j["actual_minutes"]
        kept += actual <= promised + GRACE
        cushion_list.append(promised - actual)
        errors += abs(expected - actual)
        straight_kept += actual <= j["straight_minutes"] + GRACE
        straight_errors += abs(j["straight_minutes"] - actual)
    n = len(judge)
    return {
        "n": n,
        "kept_pct": 100 * kept / n,
        "median_cushion_min": statistics.median(cushion_list),
        "mae_min": errors / n,
        "straight_line_kept_pct": 100 * straight_kept / n,
        "straight_line_mae_min": straight_errors / n,
    }


def plan_timing(url: str, grid, rng: random.Random, runs: int) -> float:
    """p95 of the planner on 30 machines in 10 yards and 6 crews, through the OSRM provider."""
    import django

    django.setup()
    _ensure_database()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fleet.models import Branch
    from recovery.planning import Crew, MachineAtYard, plan_replacements

    settings.ROUTING_PROVIDER = "routing.providers.OsrmProvider"
    settings.OSRM_URL = url
    branch, _ = Branch.objects.get_or_create(
        name="Bench", defaults={"address": "-", "lat": 43.8, "lon": 11.3, "phone": "+390000000000"}
    )
    samples = []
    for _ in range(runs):
        yards = [grid.point(rng.uniform(1, 58), rng.uniform(1, 58)) for _ in range(10)]
        machines = [
            MachineAtYard(
                machine_id=i,
                category_code="mini",
                position=yards[i % 10],
                branch_id=branch.pk,
                road_speed_kmh=60,
            )
            for i in range(30)
        ]
        crews = [
            Crew(
                technician_id=k,
                name=f"Crew {k}",
                first_name="Crew",
                branch_id=branch.pk,
                branch_name="Bench",
                position=grid.point(rng.uniform(1, 58), rng.uniform(1, 58)),
                at_branch=False,
                busy=False,
                skills=frozenset({"mini"}),
            )
            for k in range(6)
        ]
        site = grid.point(rng.uniform(1, 58), rng.uniform(1, 58))
        started = time.perf_counter()
        plans = plan_replacements(site=site, machines=machines, crews=crews, at=datetime.now(UTC))
        samples.append((time.perf_counter() - started) * 1000)
        assert len(plans) == 30 and all(p.source == "road_network" for p in plans.values())
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--journeys", type=int, default=6000)
    parser.add_argument("--plans", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quantile", type=float, default=0.8)
    args = parser.parse_args()
    from tests.fakes.road_network import OsrmServer

    rng = random.Random(args.seed)
    grid = network()
    with tempfile.TemporaryDirectory() as directory:
        server = OsrmServer(grid.build(Path(directory))).start()
        try:
            import django

            django.setup()
            started = time.monotonic()
            journeys = simulate(server.url, grid, args.journeys, rng)
            figures = evaluate(journeys, q=args.quantile, minimum=20)
            took = time.monotonic() - started
            print(f"  simulated {args.journeys} journeys in {took:.0f} s", file=sys.stderr)
            plan_p95 = plan_timing(server.url, grid, rng, args.plans)
        finally:
            server.stop()
    print(
        f"promise: n={figures['n']} kept_pct={figures['kept_pct']:.1f} "
        f"median_cushion_min={figures['median_cushion_min']:.1f} mae_min={figures['mae_min']:.1f} "
        f"straight_line_kept_pct={figures['straight_line_kept_pct']:.1f} "
        f"straight_line_mae_min={figures['straight_line_mae_min']:.1f} plan_p95_ms={plan_p95:.1f}"
    )


if __name__ == "__main__":
    main()
