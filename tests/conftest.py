"""Suite-wide fixtures: PostgreSQL only, no internet, API clients per role, a real Celery worker."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from fleet.models import MachineStatus
from notifications.backends import locmem
from tests import factories
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, TWILIO_BACKEND, FakeTwilio
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(
            f"The suite runs on PostgreSQL only, not {engine}. Run it with `make test` "
            "(or set DATABASE_URL=postgres://postgres@127.0.0.1:5432/pronto).",
            returncode=3,
        )


_real_connect = socket.socket.connect


def _loopback_only_connect(sock, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("127."):
        raise RuntimeError(f"A test tried to reach {address}: tests never leave this machine.")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def _block_internet(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def dispatcher(db):
    return factories.UserFactory(role="dispatcher", username="chiara", first_name="Chiara")


@pytest.fixture
def manager(db):
    return factories.UserFactory(role="manager", username="paola", first_name="Paola")


@pytest.fixture
def dispatcher_api(dispatcher) -> APIClient:
    return api_client_for(dispatcher)


@pytest.fixture
def manager_api(manager) -> APIClient:
    return api_client_for(manager)


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


class WorkerProcess:
    """A real `celery worker` on the test broker and the test database."""

    def __init__(self, database_name: str):
        self.database_name = database_name
        self.hostname = f"pronto-test-{os.getpid()}@localhost"
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.database_name}"
        return {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}

    def start(self) -> None:
        from config.celery import app

        app.control.purge()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                f"--hostname={self.hostname}",
            ],
            cwd=ROOT,
            env=self.env(),
            start_new_session=True,
        )
        wait_until(
            lambda: app.control.ping(destination=[self.hostname], timeout=0.5),
            timeout=30,
            message=f"the Celery worker {self.hostname} to answer a ping",
        )

    def finished(self, task_name: str) -> int | None:
        """How many runs of `task_name` this worker has finished since it started, or None while
        any task waits in the queue or sits in the worker (running, prefetched, or held for a
        countdown). Read from the queue towards the finished count, so a task moving along
        between two reads is seen at least once."""
        from config.celery import app

        with app.connection_for_write() as connection:
            # Declaring (the worker does too) counts the messages in every priority's list.
            queued = connection.default_channel.queue_declare(
                queue=settings.CELERY_TASK_DEFAULT_QUEUE
            ).message_count
        if queued:
            return None
        control = app.control.inspect(destination=[self.hostname], timeout=5)
        for held in (control.reserved(), control.scheduled(), control.active()):
            if held is None or held.get(self.hostname):
                return None
        stats = control.stats()
        if stats is None:
            return None
        return stats[self.hostname]["total"].get(task_name, 0)

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """Session-wide worker; tests using it need `transactional_db` so the worker sees their rows."""
    if not settings.CELERY_BROKER_URL:
        pytest.fail("A real Celery worker needs CELERY_BROKER_URL (make test sets it).")
    worker = WorkerProcess(settings.DATABASES["default"]["NAME"])
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery import app

    app.conf.task_always_eager = False
    if celery_worker_process.process is None or celery_worker_process.process.poll() is not None:
        celery_worker_process.start()
    yield celery_worker_process
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _no_send_rate_limit(settings):
    """The limiter has its own test; elsewhere it would only slow the suite down."""
    settings.PRONTO = {**settings.PRONTO, "SMS_RATE_PER_SECOND": 1000.0}


@pytest.fixture(autouse=True)
def _empty_locmem_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture(scope="session")
def fake_twilio_server():
    server = FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(fake_twilio_server, settings):
    """The fake Twilio, emptied, with this process's settings pointing the twilio backend at it."""
    fake_twilio_server.reset()
    settings.SMS_BACKEND = TWILIO_BACKEND
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = FROM_NUMBER
    settings.TWILIO_API_BASE_URL = fake_twilio_server.base_url
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 1.0
    yield fake_twilio_server
    fake_twilio_server.reset()


@pytest.fixture
def sms_worker(fake_twilio, celery_worker_process, celery_worker):
    """The real Celery worker, (re)started if needed so that it sends through the fake Twilio."""
    wanted = {
        "SMS_BACKEND": TWILIO_BACKEND,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "TWILIO_HTTP_TIMEOUT_SECONDS": "1",
        "SMS_RATE_PER_SECOND": "1000",
    }
    if any(os.environ.get(name) != value for name, value in wanted.items()):
        os.environ.update(wanted)
        celery_worker_process.restart()
    return celery_worker_process


# The Lombardy job site most tests share (see tests/factories.py for the coordinates).


@pytest.fixture
def mini(db):
    return factories.CategoryFactory(code="mini-excavator-2t", name="Mini excavator 1.5–2 t")


@pytest.fixture
def midi(db):
    return factories.CategoryFactory(code="midi-excavator-5t", name="Midi excavator 5–6 t")


@pytest.fixture
def mini_accepts_midi(mini, midi):
    return factories.SubstituteFactory(category=mini, substitute=midi, preference=1)


@pytest.fixture
def milano(db):
    return factories.BranchFactory(
        name="Milano", lat=factories.MILANO[0], lon=factories.MILANO[1], average_road_speed_kmh=60
    )


@pytest.fixture
def monza(db):
    return factories.BranchFactory(
        name="Monza",
        address="Viale Lombardia 1, Monza",
        lat=factories.MONZA[0],
        lon=factories.MONZA[1],
        average_road_speed_kmh=60,
    )


@pytest.fixture
def rental(mini, milano):
    broken = factories.MachineFactory(
        fleet_number="PR0000100",
        category=mini,
        home_branch=milano,
        status=MachineStatus.ON_RENT,
        lat=factories.SITE[0],
        lon=factories.SITE[1],
    )
    customer = factories.CustomerFactory(company="Edilizia Rossi S.r.l.", contact_name="Giulia Rossi")
    return factories.RentalFactory(
        customer=customer,
        machine=broken,
        branch=milano,
        site_lat=factories.SITE[0],
        site_lon=factories.SITE[1],
        recovery_sla_hours=4,
    )


@pytest.fixture
def technician(mini, midi, milano):
    return factories.TechnicianFactory(
        user=factories.UserFactory(role="technician", username="luca", first_name="Luca", last_name="Ferri"),
        home_branch=milano,
        skills=[mini, midi],
    )


# --- A real routing engine: osrm-routed on a road network generated for the session. ------------


@pytest.fixture(scope="session")
def road_network(tmp_path_factory):
    from tests.fakes.road_network import GridNetwork, OsrmServer

    network = GridNetwork()
    server = OsrmServer(network.build(tmp_path_factory.mktemp("osrm"))).start()
    yield network, server
    server.stop()


@pytest.fixture
def osrm(road_network, settings):
    """Pronto's routing provider pointed at the real osrm-routed; yields the grid to place things on."""
    from routing.providers import OsrmProvider

    network, server = road_network
    settings.ROUTING_PROVIDER = "routing.providers.OsrmProvider"
    settings.OSRM_URL = server.url
    OsrmProvider._breakers.clear()
    yield network
    OsrmProvider._breakers.clear()
