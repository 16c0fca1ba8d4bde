"""The demo (`make run`, SQLite) under two dispatchers: the loser of a race gets the friendly answer."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_race.py")
ROUNDS = 4


def _race_on_sqlite(tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "SMS_BACKEND": "notifications.backends.locmem.LocmemBackend",
        "RACE_ROUNDS": str(ROUNDS),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_dispatchers_racing_for_one_machine_on_sqlite_never_see_a_server_error(tmp_path):
    race = _race_on_sqlite(tmp_path)

    assert race["vendor"] == "sqlite"
    assert race["journal_mode"] == "wal"
    assert len(race["rounds"]) == 2 * ROUNDS
    for round_ in race["rounds"]:
        results = round_["results"]
        if round_["channel"] == "console":
            assert [r["status"] for r in results] == [302, 302], results
            texts = sorted(r["messages"][0] for r in results)
            assert texts[0].startswith("Dispatched: "), texts
            assert "was just reserved by another dispatcher" in texts[1], texts
        else:
            assert sorted(r["status"] for r in results) == [200, 409], results
            loser = next(r for r in results if r["status"] == 409)
            assert loser["code"] == "machine_taken"
