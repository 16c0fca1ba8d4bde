"""`manage.py telematics_consume` as a real process on the test database and the test's stream."""

import os
import signal
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT


def consumer_env(**extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TELEMATICS_STREAM_URL": settings.TELEMATICS_STREAM_URL,
        "TELEMATICS_STREAM_KEY": settings.TELEMATICS["STREAM_KEY"],
        **extra,
    }


def start_consumer(name: str, *, claim_idle: float, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "telematics_consume", "--name", name, "--claim-idle", str(claim_idle)],
        cwd=ROOT,
        env=consumer_env(**extra),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )


def stop_consumer(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=20)
