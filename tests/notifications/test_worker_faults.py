"""Faults with a real Celery worker on Redis: each ends with exactly one SMS per message at Twilio."""

import signal
import socket
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

SEND = message_send_task.name


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


def sent(message: Message) -> bool:
    return Message.objects.get(pk=message.pk).twilio_sid is not None


def sends_finished(worker) -> int:
    """Every send task the worker has run so far, once nothing is left in the queue or the worker."""

    def counted() -> list[int] | None:
        finished = worker.finished(SEND)
        return None if finished is None else [finished]

    return wait_until(counted, message="the Celery worker to finish every SMS task and hold none")[0]


def wait_for_sends(worker, count: int) -> None:
    """Until the worker has run `count` send tasks and holds no other: any duplicate had its chance."""
    wait_until(
        lambda: (worker.finished(SEND) or 0) >= count,
        message=f"the Celery worker to finish {count} SMS tasks and hold none",
    )


def test_an_sms_queued_in_a_transaction_is_sent_once_after_commit(sms_worker, fake_twilio):
    before = sends_finished(sms_worker)

    message = acknowledgement(logged_incident())

    wait_until(lambda: sent(message), message="the acknowledgement's Twilio SID")
    wait_for_sends(sms_worker, before + 1)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


def test_duplicate_task_deliveries_send_the_sms_once(sms_worker, fake_twilio):
    before = sends_finished(sms_worker)
    message = acknowledgement(logged_incident())

    for _ in range(4):
        message_send_task.delay(message.pk)

    wait_for_sends(sms_worker, before + 5)  # the one enqueued at commit and the four duplicates
    assert sent(message)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


@pytest.mark.parametrize("twilio_took_it", [False, True], ids=["request-lost", "answer-lost"])
def test_a_worker_killed_mid_send_ends_with_exactly_one_sms(
    sms_worker, fake_twilio, sweep_now, twilio_took_it
):
    hang = fake_twilio.hang_next(accept=twilio_took_it)
    message = acknowledgement(logged_incident())
    assert hang.started.wait(20), "The worker never called Twilio"
    sms_worker.stop(sig=signal.SIGKILL)
    hang.released.set()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING

    sms_worker.start()
    swept = sweep_now()

    # Found at Twilio, the SID is kept and nothing is sent again; not found, it is sent once more.
    assert swept == {"requeued": 0, "found": int(twilio_took_it), "resent": int(not twilio_took_it)}
    wait_until(lambda: sent(message), message="the message's Twilio SID after the sweep")
    wait_for_sends(sms_worker, swept["resent"])  # counted since the restart
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


def test_a_broker_outage_at_commit_ends_with_exactly_one_sms(sms_worker, fake_twilio, sweep_now):
    before = sends_finished(sms_worker)
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))
        dead_url = f"redis://127.0.0.1:{dead.getsockname()[1]}/3"
    live_url = app.conf.broker_write_url
    try:
        point_publisher_at(dead_url)
        message = acknowledgement(logged_incident())  # commits; the enqueue fails and is logged
    finally:
        point_publisher_at(live_url)

    # Nothing reached the broker: the queue is empty, the worker idle and Twilio untouched.
    assert sends_finished(sms_worker) == before
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    assert fake_twilio.messages == []

    assert sweep_now()["requeued"] == 1
    wait_until(lambda: sent(message), message="the message's Twilio SID after the sweep")
    wait_for_sends(sms_worker, before + 1)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]
