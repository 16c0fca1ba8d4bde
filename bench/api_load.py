"""Benchmark: Pronto under load with a company's history, beside a reference in the same run.

Seeds its own database (BENCH_API_DATABASE_URL, default pronto_bench_api): 1,000,000 machines,
two years of past incidents (100,000) and a board of 300 open ones. Serves Pronto with
deploy/gunicorn.conf.py and, beside it, a reference app (bench/reference_app.py: raw SQL, plain
WSGI) on loopback ports; drives both with wrk, one at a time, and prints one last line:

    api: suggestions_ratio=… incidents_rps_ratio=… pings_per_s=… board_300_ms=… board_rps_ratio=…
         loyalty_100k_ms=… loyalty_queries=… csv_100k_s=… (and the figures behind each ratio)

Ratios are Pronto ÷ reference measured in the same run, seconds apart: on a shared 2-core machine
absolute figures move by ±30 %, ratios much less. References: raw SQL for suggestions and pings;
a "hello" view in Pronto's own stack (same middleware, authentication and permission) for
POST incidents and for the board.

BENCH_API_SCALE=quick (20,000 machines, 5,000 past incidents, 3 s runs) for a run while developing;
full (the default) is the real figure. BENCH_API_SECONDS overrides the length of each load run."""

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pronto_bench_api")
# Tasks are queued (to this Redis database) as in production; nothing consumes them here.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
METRICS_TOKEN = "bench-metrics-token"

SCALES = {
    "full": {"machines": 1_000_000, "history": 100_000, "customers": 4000, "seconds": 10},
    "quick": {"machines": 20_000, "history": 5_000, "customers": 1500, "seconds": 3},
}
OPEN_INCIDENTS = 300
BUSY_BOARD = 3000
CREWS_PER_BRANCH = 10
CONNECTIONS = 8


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


def seed(scale: dict) -> None:
    from django.core.management import call_command

    from fleet.demo import ensure_role_groups, seed_demo
    from recovery.demo import seed_history

    started = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    ensure_role_groups()
    seed_demo(
        machines=scale["machines"], customers=scale["customers"], technicians_per_branch=CREWS_PER_BRANCH
    )
    company = time.perf_counter() - started
    report = seed_history(past_incidents=scale["history"], open_incidents=OPEN_INCIDENTS)
    log(
        f"seeded {scale['machines']} machines in {company:.1f} s; {report.past_incidents} past incidents, "
        f"{report.open_incidents} open, {report.survey_responses} survey answers, {report.open_follow_ups} "
        f"open follow-ups, {report.sms_messages} SMS in {time.perf_counter() - started - company:.1f} s"
    )


class Server:
    """gunicorn with deploy/gunicorn.conf.py on a loopback port, its log in a file."""

    def __init__(self, name: str, app: str, env: dict, workdir: Path):
        self.name, self.port = name, _free_port()
        self.log = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                app,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                status, _, _ = get(self.port, path)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, float]:
    """One request on a fresh connection: status, body, milliseconds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, body, elapsed


def median_ms(port: int, path: str, headers: dict, runs: int, warmup: int = 3) -> tuple[float, int]:
    """Median time of `runs` sequential requests, and the size of the last answer."""
    times, size = [], 0
    for index in range(warmup + runs):
        status, body, ms = get(port, path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        size = len(body)
        if index >= warmup:
            times.append(ms)
    return statistics.median(times), size


LUA_HEAD = """
__tid = 0
function setup(thread)
  thread:set("tid", __tid)
  __tid = __tid + 1
end
counter = 0
function init(args)
  counter = tid * 100003
end
"""


def _lua_table(rows: list) -> str:
    return "{" + ",".join(json.dumps(row).replace("[", "{").replace("]", "}") for row in rows) + "}"


def lua_get(paths: list[str], headers: dict) -> str:
    return (
        LUA_HEAD
        + f"paths = {_lua_table(paths)}\nheaders = {_lua_headers(headers)}\n"
        + """
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end
"""
    )


def _lua_headers(headers: dict) -> str:
    return "{" + ",".join(f'["{k}"]={json.dumps(v)}' for k, v in headers.items()) + "}"


def lua_post(path: str, bodies: list[str], headers: dict) -> str:
    """POST each body once, threads taking turns; an Idempotency-Key per request, as clients send."""
    return (
        LUA_HEAD
        + f"bodies = {_lua_table(bodies)}\nheaders = {_lua_headers(headers)}\n"
        + f'path = "{path}"\n'
        + """
local sent = 0
function request()
  sent = sent + 1
  local index = ((tid + (sent - 1) * 2) % #bodies) + 1
  headers["Idempotency-Key"] = "bench-" .. tid .. "-" .. sent .. "-" .. os.time()
  return wrk.format("POST", path, headers, bodies[index])
end
"""
    )


def lua_pings(crews: list[list]) -> str:
    """Each request one ping from the next technician, a few metres from where they were."""
    return (
        LUA_HEAD
        + f"crews = {_lua_table(crews)}\n"
        + """
function request()
  counter = counter + 1
  local crew = crews[(counter % #crews) + 1]
  local at = os.date("!%Y-%m-%dT%H:%M:%S", os.time()) .. string.format(".%06d+00:00", counter % 1000000)
  local body = string.format('{"pings": [{"lat": %.6f, "lon": %.6f, "at": "%s"}]}',
    crew[2] + (counter % 50) * 0.00001, crew[3], at)
  return wrk.format("POST", "/api/v1/technician/location/", {
    ["Authorization"] = "Token " .. crew[1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "ping-" .. tid .. "-" .. counter .. "-" .. os.time(),
  }, body)
end
"""
    )


def wrk(port: int, script: str, seconds: int, workdir: Path, connections: int = CONNECTIONS) -> dict:
    """Requests per second, latency percentiles and failed answers of one wrk run."""
    path = workdir / "load.lua"
    path.write_text(script)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(path),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*?timeout (\d+)", out)
    latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "total": total,
        "failed": int(failed.group(1)) if failed else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
    }


def compare(
    label: str, pronto: tuple, reference: tuple, seconds: int, workdir: Path, warmup: tuple | None = None
) -> tuple[dict, dict]:
    """Reference, then Pronto, then the reference again: the ratio uses the mean of both references.
    A short unmeasured run first warms both: workers import their URLs, caches fill, and a crew's
    first ping settles the ETA of the job it drives to (later pings move it by metres)."""
    wrk(*reference, 2, workdir)
    wrk(*(warmup or pronto), 2, workdir)
    before = wrk(*reference, seconds, workdir)
    ours = wrk(*pronto, seconds, workdir)
    after = wrk(*reference, seconds, workdir)
    ref = {**before, "rps": (before["rps"] + after["rps"]) / 2}
    log(
        f"{label}: pronto {ours['rps']:.0f} req/s (p50 {ours['p50']}, p99 {ours['p99']}, failed "
        f"{ours['failed']}) · reference {before['rps']:.0f}/{after['rps']:.0f} req/s (p50 {ref['p50']})"
    )
    for run in (ours, before, after):
        if run["failed"] or run["timeouts"]:
            raise RuntimeError(f"{label}: {run['failed']} failed answers, {run['timeouts']} timeouts")
    return ours, ref


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def token(username: str) -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=get_user_model().objects.get(username=username))[0].key


def loyalty_queries() -> int:
    """Statements one /loyalty/ page costs, counted in this process against the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fleet.demo import DEMO_PASSWORD

    client = Client()
    assert client.login(username="manager", password=DEMO_PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/loyalty/")
    assert response.status_code == 200, response.status_code
    return len(queries)


def csv_download(port: int, cookie: str) -> tuple[float, int, bool]:
    """Seconds for the whole export, its data rows, and whether it ended as a complete file says."""
    status, body, ms = get(port, "/loyalty/incidents.csv?period=all", {"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"CSV export answered {status}")
    lines = body.decode().splitlines()
    complete = bool(lines) and lines[-1].startswith("# complete")
    rows = len(lines) - 1 - (1 if complete else 0)
    return ms / 1000, rows, complete


@contextmanager
def background_load(port: int, script: str, seconds: int, workdir: Path):
    """wrk running against `port` while the body of the with-block runs."""
    load_dir = workdir / "background"
    load_dir.mkdir(exist_ok=True)
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(wrk(port, script, seconds, load_dir)))
    thread.start()
    time.sleep(0.5)  # let wrk connect before the measured request starts
    try:
        yield result
    finally:
        thread.join()


def main() -> None:
    scale_name = os.environ.get("BENCH_API_SCALE", "full")
    scale = SCALES[scale_name]
    seconds = int(os.environ.get("BENCH_API_SECONDS", scale["seconds"]))
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench` installs it (scripts/ensure_wrk.sh).")

    import django
    import redis

    django.setup()
    _ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(scale)
    redis.Redis.from_url(BROKER_URL).flushdb()  # the bench's own Redis database: no one else's

    from django.db import connection

    from fleet.models import Technician
    from recovery.demo import open_incidents_seed
    from recovery.models import OPEN_STATUSES, Incident, IncidentStatus

    connection.close()  # the servers get the database to themselves
    dispatcher_token = token("dispatcher")
    crews = [
        [token(t.user.username), t.lat, t.lon]
        for t in Technician.objects.filter(lat__isnull=False).select_related("user")
    ]
    desk_cookie, manager_cookie = session_cookie("dispatcher"), session_cookie("manager")
    reported = list(
        Incident.objects.filter(status=IncidentStatus.REPORTED).values_list("id", flat=True).order_by("id")
    )
    busy = Incident.objects.filter(status__in=OPEN_STATUSES).values("rental_id")
    from fleet.models import Rental, RentalStatus

    free_rentals = list(
        Rental.objects.filter(status=RentalStatus.ACTIVE)
        .exclude(pk__in=busy)
        .values_list("id", flat=True)
        .order_by("?")
    )
    recovered = Incident.objects.filter(
        status__in=(IncidentStatus.RECOVERED, IncidentStatus.CLOSED), time_to_recovery__isnull=False
    ).count()
    connection.close()

    workdir = Path(tempfile.mkdtemp(prefix="pronto-bench-api-"))
    metrics_dir = workdir / "prometheus"
    pronto_env = {
        "METRICS_TOKEN": METRICS_TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        # The bench's technicians ping far faster than a phone does (one every 15 s).
        "THROTTLE_TECHNICIAN": "1000000/min",
        "THROTTLE_USER": "1000000/min",
    }
    pronto = Server("pronto", "config.wsgi:application", pronto_env, workdir)
    reference = Server(
        "reference",
        "bench.reference_app:application",
        {"REFERENCE_DATABASE_DSN": BENCH_URL},
        workdir,
    )
    figures: dict[str, str] = {}
    try:
        pronto.wait("/healthz")
        reference.wait("/")
        desk = {"Cookie": desk_cookie, "HX-Request": "true"}
        api = {"Authorization": f"Token {dispatcher_token}", "Content-Type": "application/json"}

        board_ms, board_bytes = median_ms(pronto.port, "/board/rows/", desk, runs=20)
        figures["board_300_ms"] = f"{board_ms:.1f}"
        log(f"board at {OPEN_INCIDENTS} open: {board_ms:.1f} ms, {board_bytes / 1024:.0f} kB")
        ours, ref = compare(
            "board table, 8 pollers",
            (pronto.port, lua_get(["/board/rows/"], desk)),
            (pronto.port, lua_get(["/bench/hello-console/"], desk)),
            seconds,
            workdir,
        )
        figures["board_rps_ratio"] = f"{ours['rps'] / ref['rps']:.2f}"

        manager = {"Cookie": manager_cookie}
        loyalty_ms, _ = median_ms(pronto.port, "/loyalty/", manager, runs=10)
        figures["loyalty_100k_ms"] = f"{loyalty_ms:.0f}"
        figures["loyalty_queries"] = str(loyalty_queries())
        connection.close()
        metrics_ms, _ = median_ms(pronto.port, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"}, 10)
        figures["metrics_ms"] = f"{metrics_ms:.1f}"

        csv_s, rows, complete = csv_download(pronto.port, manager_cookie)
        figures["csv_100k_s"] = f"{csv_s:.2f}"
        log(f"CSV: {rows} rows of {recovered} in {csv_s:.2f} s, complete marker: {complete}")
        suggestions = lua_get([f"/api/v1/incidents/{pk}/suggestions/" for pk in reported], api)
        with background_load(pronto.port, suggestions, max(seconds, 5), workdir):
            _, loaded_rows, loaded_complete = csv_download(pronto.port, manager_cookie)
        figures["csv_under_load_rows_ok"] = str(loaded_rows == recovered and loaded_complete).lower()

        ours, ref = compare(
            "suggestions",
            (pronto.port, suggestions),
            (reference.port, suggestions),
            seconds,
            workdir,
        )
        figures["suggestions_ratio"] = f"{ours['rps'] / ref['rps']:.2f}"
        figures["suggestions_rps"] = f"{ours['rps']:.0f}"

        pings = lua_pings(crews)
        ours, ref = compare("pings", (pronto.port, pings), (reference.port, pings), seconds, workdir)
        figures["pings_per_s"] = f"{ours['rps']:.0f}"
        figures["pings_ratio"] = f"{ours['rps'] / ref['rps']:.2f}"

        bodies = [
            json.dumps({"rental": pk, "symptom": "Hydraulic leak, boom down", "severity": "machine_down"})
            for pk in free_rentals[: len(free_rentals) - BUSY_BOARD]
        ]
        # Each rental can break down once: the warm-up logs on rentals the measured run never uses.
        spare, bodies = bodies[:1000], bodies[1000:]
        ours, ref = compare(
            "POST incidents",
            (pronto.port, lua_post("/api/v1/incidents/", bodies, api)),
            (pronto.port, lua_post("/bench/hello/", bodies, api)),
            seconds,
            workdir,
            warmup=(pronto.port, lua_post("/api/v1/incidents/", spare, api)),
        )
        figures["incidents_rps_ratio"] = f"{ours['rps'] / ref['rps']:.2f}"

        open_now = Incident.objects.filter(status__in=OPEN_STATUSES).count()
        open_incidents_seed(count=BUSY_BOARD - open_now, seed=11)
        connection.close()
        busy_ms, busy_bytes = median_ms(pronto.port, "/board/rows/", desk, runs=10)
        figures["board_3000_ms"] = f"{busy_ms:.1f}"
        figures["board_3000_kb"] = f"{busy_bytes / 1024:.0f}"
        log(f"board at {BUSY_BOARD} open: {busy_ms:.1f} ms, {busy_bytes / 1024:.0f} kB")
        figures["metrics_files"] = str(len(list(metrics_dir.glob("*.db"))))
    finally:
        pronto.stop()
        reference.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    order = [
        "suggestions_ratio",
        "incidents_rps_ratio",
        "pings_per_s",
        "board_300_ms",
        "board_rps_ratio",
        "loyalty_100k_ms",
        "loyalty_queries",
        "csv_100k_s",
    ]
    extra = [key for key in figures if key not in order]
    line = " ".join(f"{key}={figures[key]}" for key in order + extra)
    print(f"api: scale={scale_name} {line}", flush=True)


if __name__ == "__main__":
    main()
