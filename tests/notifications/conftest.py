"""Fixtures for customer SMS: an empty locmem outbox per test, and the fake Twilio server."""

import os

import pytest

from notifications.backends import locmem
from tests.fakes.twilio_server import FakeTwilio

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+390200000001"
TWILIO_BACKEND = "notifications.backends.twilio.TwilioBackend"


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
