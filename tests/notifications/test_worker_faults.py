"""Faults with a real Celery worker on Redis: each ends with exactly one SMS per message at Twilio."""

import signal
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from notifications import services
from notifications.models import Message, MessageKind, MessageStatus
from notifications.tasks import message_send_task
from tests.helpers import wait_until
from tests.notifications.helpers import logged_incident

pytestmark = pytest.mark.worker


@pytest.fixture
def sweep_now(settings):
    """Sweeper settings that treat anything past as overdue, so a test need not wait."""
    settings.PRONTO = {**settings.PRONTO, "SMS_SWEEP_GRACE_SECONDS": 0, "SMS_STALE_SENDING_SECONDS": 0}

    def sweep() -> dict[str, int]:
        return services.messages_sweep(now=timezone.now() + timedelta(seconds=1))

    return sweep


def point_publisher_at(url: str) -> None:
    """Where this process publishes tasks (the worker keeps its own connection)."""
    app.conf.broker_write_url = url
    app._pool = None  # the cached connection pool and producers still hold the old URL
    app.amqp._producer_pool = None


def acknowledgement(incident) -> Message:
    return Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT)


def test_an_sms_queued_in_a_transaction_is_sent_once_after_commit(sms_worker, fake_twilio):
    message = acknowledgement(logged_incident())
    wait_until(lambda: len(fake_twilio.messages) == 1)
    wait_until(lambda: Message.objects.get(pk=message.pk).twilio_sid is not None)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


def test_duplicate_task_deliveries_send_the_sms_once(sms_worker, fake_twilio):
    message = acknowledgement(logged_incident())
    for _ in range(4):
        message_send_task.delay(message.pk)
    wait_until(lambda: Message.objects.get(pk=message.pk).twilio_sid is not None)
    time.sleep(1)  # give the duplicates their chance to (wrongly) send
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


@pytest.mark.parametrize("twilio_took_it", [False, True], ids=["request-lost", "answer-lost"])
def test_a_worker_killed_mid_send_ends_with_exactly_one_sms(
    sms_worker, fake_twilio, sweep_now, twilio_took_it
):
    hang = fake_twilio.hang_next(accept=twilio_took_it)
    message = acknowledgement(logged_incident())
    assert hang.started.wait(20)
    sms_worker.stop(sig=signal.SIGKILL)
    hang.released.set()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING

    sms_worker.start()
    sweep_now()
    wait_until(lambda: Message.objects.get(pk=message.pk).twilio_sid is not None)
    time.sleep(1)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


def test_a_broker_outage_at_commit_ends_with_exactly_one_sms(sms_worker, fake_twilio, sweep_now):
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))
        dead_url = f"redis://127.0.0.1:{dead.getsockname()[1]}/3"
    live_url = app.conf.broker_write_url
    try:
        point_publisher_at(dead_url)
        message = acknowledgement(logged_incident())  # commits; the enqueue fails and is logged
    finally:
        point_publisher_at(live_url)
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    time.sleep(0.5)
    assert fake_twilio.messages == []

    assert sweep_now()["requeued"] == 1
    wait_until(lambda: Message.objects.get(pk=message.pk).twilio_sid is not None)
    time.sleep(1)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]
