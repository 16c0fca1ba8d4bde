"""Two dispatchers press Dispatch on the same machine at the same moment, on SQLite (`make run`).

Run by tests/console/test_sqlite_race.py in a subprocess: the suite itself runs on PostgreSQL only,
and Django picks its database once per process. Prints one JSON line: what each dispatcher got.
"""

import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.messages import get_messages  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from fleet.models import MachineStatus  # noqa: E402
from recovery import services  # noqa: E402
from recovery.models import Channel  # noqa: E402
from tests import factories  # noqa: E402

ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))


def _scene(round_no: int, branch, category, dispatchers):
    """Two customers' machines broken side by side, and one free replacement for both."""
    incidents = []
    for n in range(2):
        broken = factories.MachineFactory(
            fleet_number=f"PR9{round_no:03d}{n:03d}",
            category=category,
            home_branch=branch,
            status=MachineStatus.ON_RENT,
            lat=factories.SITE[0],
            lon=factories.SITE[1],
        )
        rental = factories.RentalFactory(
            customer=factories.CustomerFactory(company=f"Cantiere {round_no}-{n}"),
            machine=broken,
            branch=branch,
        )
        incidents.append(
            services.incident_log(
                rental=rental, reported_by=dispatchers[0], channel=Channel.PHONE, symptom="Hydraulic leak"
            )
        )
    machine = factories.machine_at(category, branch, factories.MONZA, f"PR8{round_no:06d}")
    return incidents, machine


def _press_together(requests):
    """Each request on its own thread (its own SQLite connection), released by one barrier."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the point of the test: report it rather than die on the thread
            results[i] = {"status": 500, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _console_press(user, incident, machine):
    def call():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        response = client.post(f"/incidents/{incident.pk}/dispatch/", {"machine": machine.pk})
        return {
            "status": response.status_code,
            "messages": [str(m) for m in get_messages(response.wsgi_request)],
        }

    return call


def _api_press(user, incident, machine):
    def call():
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user=user)
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/dispatch/", {"machine": machine.fleet_number}, format="json"
        )
        is_json = response.get("Content-Type", "").startswith("application/json")
        body = response.json() if is_json else {}
        return {"status": response.status_code, "code": body.get("code"), "detail": body.get("detail")}

    return call


def main() -> None:
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    branch = factories.BranchFactory(name="Milano")
    category = factories.CategoryFactory(code="mini-excavator-2t", name="Mini excavator 1.5–2 t")
    factories.TechnicianFactory(home_branch=branch, skills=[category])
    dispatchers = [factories.UserFactory(username=name, role="dispatcher") for name in ("chiara", "marco")]
    rounds = []
    for _ in range(ROUNDS):
        for channel, press in (("console", _console_press), ("api", _api_press)):
            incidents, machine = _scene(len(rounds), branch, category, dispatchers)
            pairs = zip(dispatchers, incidents, strict=True)
            results = _press_together([press(user, incident, machine) for user, incident in pairs])
            rounds.append({"channel": channel, "results": results})
    print(json.dumps({"vendor": connection.vendor, "journal_mode": journal_mode, "rounds": rounds}))


if __name__ == "__main__":
    main()
