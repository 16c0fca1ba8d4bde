"""Benchmark: how often the arrival we text the customer is kept, on a generated road network.

A 60 x 60 road grid near Firenze (slow local roads, trunk roads, a river with two bridges) is
built and served by a real osrm-routed (MLD). Journeys are simulated: a crew somewhere on shift
drives to a machine's yard, loads it and drives to the job site. The "true" time is the road time
times the branch's congestion at that hour, with noise, a variable loading time and occasional
incidents on the road. The planner's corrections (recovery.learning, the project's code) are learnt
on the first 60 % of the journeys and the rest are promised with them; today's promise (straight
line x circuity / branch speed from the machine's yard + preparation, crew ignored) is scored on
the same journeys. Then a 30-candidate dispatch plan (recovery.planning, the code the API calls)
is timed against the same OSRM on PostgreSQL. Last line:

    promise: n=… kept_pct=… median_cushion_min=… mae_min=… straight_line_kept_pct=…
             straight_line_mae_min=… plan_p95_ms=…   (one line)

Usage: python bench/promise.py [--journeys 5000] [--plans 300]
It uses its own database (BENCH_PROMISE_DATABASE_URL, default pronto_bench_promise)."""

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_PROMISE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench_promise"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_BROKER_URL"] = ""

from tests.fakes.road_network import Grid, served_grid  # noqa: E402

GRID = Grid(rows=60, cols=60, river_below_row=31, bridge_cols=(10, 45), trunk_rows=(8, 40, 52))
ROME = ZoneInfo("Europe/Rome")
PREPARATION = timedelta(minutes=20)
GRACE = timedelta(minutes=10)  # PROMISE_GRACE_MINUTES: within promise + grace counts as kept
# Branches: a yard cell, its trucks' average road speed (today's formula) and how its roads clog.
BRANCHES = {
    1: {"cell": (12, 12), "speed": 50.0, "rush": 1.45},  # the city: heavy rush hours
    2: {"cell": (45, 20), "speed": 55.0, "rush": 1.20},
    3: {"cell": (15, 48), "speed": 60.0, "rush": 1.10},  # out of town
    4: {"cell": (50, 50), "speed": 55.0, "rush": 1.30},
}


def congestion(branch: dict, at: datetime) -> float:
    hour = at.hour + at.minute / 60
    weekday = at.weekday() < 5
    peak = math.exp(-((hour - 8.5) ** 2) / 1.5) + math.exp(-((hour - 17.5) ** 2) / 2.0)
    return 1.0 + (branch["rush"] - 1.0) * peak * (1.0 if weekday else 0.3)


def cell_near(rng: random.Random, cell: tuple[int, int], spread: int) -> tuple[int, int]:
    r = min(GRID.rows - 1, max(0, cell[0] + rng.randint(-spread, spread)))
    c = min(GRID.cols - 1, max(0, cell[1] + rng.randint(-spread, spread)))
    return r, c


def simulate(url: str, count: int, seed: int = 11) -> list[dict]:
    from routing.providers import OsrmProvider, StraightLineProvider

    rng = random.Random(seed)
    osrm = OsrmProvider(base_url=url, timeout_seconds=10)
    straight = StraightLineProvider(circuity=1.3)
    start = datetime(2026, 9, 7, 0, 0, tzinfo=ROME)
    journeys = []
    for n in range(count):
        branch_id = rng.choice(list(BRANCHES))
        branch = BRANCHES[branch_id]
        depart = start + timedelta(minutes=rng.randint(0, 60 * 24 * 7 * 8))
        depart = depart.replace(hour=rng.choice([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]))
        yard = GRID.point(*cell_near(rng, branch["cell"], 3))
        site = GRID.point(*cell_near(rng, branch["cell"], 14))
        crew = GRID.point(*cell_near(rng, branch["cell"], 10))
        cells = osrm.table(origins=[crew, yard], destinations=[yard, site])
        road = cells[0][0].duration + PREPARATION + cells[1][1].duration
        driving = (cells[0][0].duration + cells[1][1].duration).total_seconds()
        noise = rng.lognormvariate(0, 0.10)
        loading = timedelta(minutes=max(8.0, rng.gauss(20, 6)))
        actual = timedelta(seconds=driving * congestion(branch, depart) * noise) + loading
        if rng.random() < 0.03:  # a closed road, a flat tyre
            actual += timedelta(minutes=rng.uniform(15, 60))
        today = straight.travel(origin=yard, destination=site, road_speed_kmh=branch["speed"]).duration
        journeys.append(
            {
                "branch_id": branch_id,
                "depart": depart,
                "road": road,
                "actual": actual,
                "today": today + PREPARATION,
            }
        )
        if n and n % 1000 == 0:
            print(f"  simulated {n} journeys", file=sys.stderr)
    return journeys


def score(journeys: list[dict]) -> dict:
    from recovery.learning import Journey, corrections_fit

    split = int(len(journeys) * 0.6)
    learn, test = journeys[:split], journeys[split:]
    corrections = corrections_fit(
        [Journey(j["branch_id"], j["depart"], j["road"], j["actual"]) for j in learn],
        quantile=0.8,
        min_sample=20,
    )
    kept = straight_kept = 0
    cushions, errors, straight_errors = [], [], []
    for j in test:
        correction = corrections.for_journey(branch_id=j["branch_id"], depart_at=j["depart"])
        expected, promised = correction.apply(j["road"])
        kept += j["actual"] <= promised + GRACE
        straight_kept += j["actual"] <= j["today"] + GRACE
        cushions.append((promised - j["actual"]).total_seconds() / 60)
        errors.append(abs((expected - j["actual"]).total_seconds()) / 60)
        straight_errors.append(abs((j["today"] - j["actual"]).total_seconds()) / 60)
    return {
        "n": len(journeys),
        "kept_pct": 100 * kept / len(test),
        "median_cushion_min": statistics.median(cushions),
        "mae_min": statistics.fmean(errors),
        "straight_line_kept_pct": 100 * straight_kept / len(test),
        "straight_line_mae_min": statistics.fmean(straight_errors),
    }


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


def time_plans(url: str, plans: int) -> float:
    """p95 of recovery.planning.plan_dispatch with 30 candidate machines and 8 crews, on OSRM."""
    from django.core.management import call_command
    from django.test import override_settings

    from fleet.models import (
        Branch,
        CategorySubstitute,
        Machine,
        MachineCategory,
        MachineStatus,
        Technician,
    )
    from recovery import planning
    from recovery.models import Incident
    from routing import providers

    call_command("migrate", verbosity=0)
    for model in (Incident, Technician, Machine, CategorySubstitute, MachineCategory, Branch):
        model.objects.all().delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="bench-").delete()
    rng = random.Random(5)
    lat, lon = GRID.point(*BRANCHES[1]["cell"])
    branch = Branch.objects.create(name="Firenze", address="Via Pratese", lat=lat, lon=lon)
    categories = [
        MachineCategory.objects.create(code=f"bench-{i}", name=f"Bench category {i}") for i in range(3)
    ]
    for preference, substitute in enumerate(categories[1:], start=1):
        CategorySubstitute.objects.create(
            category=categories[0], substitute=substitute, preference=preference
        )
    for i in range(120):
        where = GRID.point(*cell_near(rng, BRANCHES[1]["cell"], 12))
        Machine.objects.create(
            fleet_number=f"BE{i:06d}", serial_number=f"BSN{i:06d}", category=categories[i % 3], make="Kubota",
            model="KX019", home_branch=branch, lat=where[0], lon=where[1], status=MachineStatus.AVAILABLE,
        )  # fmt: skip
    for i in range(40):
        user = get_user_model().objects.create(username=f"bench-crew-{i}", first_name=f"Crew {i}")
        where = GRID.point(*cell_near(rng, BRANCHES[1]["cell"], 12))
        crew = Technician.objects.create(
            user=user, home_branch=branch, on_shift=True, lat=where[0], lon=where[1]
        )
        crew.skills.set(categories)
    broken = Machine.objects.create(
        fleet_number="BE-BROKEN", serial_number="BSN-BROKEN", category=categories[0], make="Kubota",
        model="KX019", home_branch=branch, lat=lat, lon=lon, status=MachineStatus.ON_RENT,
    )  # fmt: skip
    # The planner reads only the site and the broken machine: an unsaved incident is enough.
    incident = Incident(broken_machine=broken, site_lat=lat, site_lon=lon)
    providers._breaker.cache_clear()
    samples = []
    with override_settings(ROUTING_PROVIDER="routing.providers.OsrmProvider", OSRM_URL=url):
        for i in range(plans):
            site = GRID.point(*cell_near(rng, BRANCHES[1]["cell"], 10))
            incident.site_lat, incident.site_lon = site
            started = time.perf_counter()
            plan = planning.plan_dispatch(incident=incident, limit=30)
            samples.append((time.perf_counter() - started) * 1000)
            if i == 0:
                assert len(plan.options) == 30, len(plan.options)
                assert plan.source == providers.ROAD_NETWORK, plan.reason
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=5000)
    parser.add_argument("--plans", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    _ensure_database()
    with served_grid(GRID) as url:
        figures = score(simulate(url, args.journeys))
        figures["plan_p95_ms"] = time_plans(url, args.plans)
    print(
        "promise: n={n} kept_pct={kept_pct:.1f} median_cushion_min={median_cushion_min:.1f} "
        "mae_min={mae_min:.1f} straight_line_kept_pct={straight_line_kept_pct:.1f} "
        "straight_line_mae_min={straight_line_mae_min:.1f} "
        "plan_p95_ms={plan_p95_ms:.1f}".format(**figures)
    )


if __name__ == "__main__":
    main()
