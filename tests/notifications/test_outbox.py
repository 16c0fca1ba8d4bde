"""Sending from the ledger through the real twilio client and the fake Twilio: once, or not at all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Message, MessageKind, MessageStatus
from notifications.ratelimit import send_slot_take
from tests.notifications.helpers import logged_incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_settings(settings):
    settings.PRONTO = {
        **settings.PRONTO,
        "SMS_RATE_PER_SECOND": 1000.0,
        "SMS_MAX_ATTEMPTS": 3,
        "SMS_STALE_SENDING_SECONDS": 0,
        "SMS_SWEEP_GRACE_SECONDS": 0,
    }


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Enqueued tasks are recorded, not published: these tests drive the services themselves."""
    enqueued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", enqueued.append)
    return enqueued


def acknowledgement(incident) -> Message:
    return Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT)


def test_a_queued_message_is_sent_once_with_its_sid_even_if_the_task_runs_twice(fake_twilio):
    message = acknowledgement(logged_incident())
    services.message_send(message_id=message.pk)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert fake_twilio.bodies_to(message.to_number) == [message.body]
    assert message.twilio_sid == fake_twilio.messages[0].sid
    assert (message.status, message.attempts) == (MessageStatus.SENDING, 1)
    assert fake_twilio.messages[0].status_callback.endswith(f"/webhooks/twilio/status/{message.pk}/")


def test_a_transient_error_requeues_with_backoff_and_the_retry_sends(fake_twilio):
    message = acknowledgement(logged_incident())
    fake_twilio.fail_next(status=503, code=20503)
    outcome = services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert outcome.retry_in is not None and outcome.retry_in > 0
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at > timezone.now()
    services.message_send(message_id=message.pk)
    assert len(fake_twilio.bodies_to(message.to_number)) == 1


def test_throttling_is_retried_and_gives_up_after_the_last_attempt_with_a_call_alert(fake_twilio):
    incident = logged_incident()
    message = acknowledgement(incident)
    for _ in range(3):
        fake_twilio.fail_next(status=429, code=20429)
        services.message_send(message_id=message.pk)
    message.refresh_from_db()
    incident.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (MessageStatus.FAILED, 3, 20429)
    assert incident.call_customer_reason


def test_an_invalid_number_fails_at_once_and_asks_the_desk_to_call(fake_twilio):
    incident = logged_incident()
    message = acknowledgement(incident)
    fake_twilio.fail_next(status=400, code=21211, message="The 'To' number is not a valid phone number.")
    outcome = services.message_send(message_id=message.pk)
    message.refresh_from_db()
    incident.refresh_from_db()
    assert outcome.retry_in is None
    assert (message.status, message.error_code, message.attempts) == (MessageStatus.FAILED, 21211, 1)
    assert "21211" in incident.call_customer_reason
    assert incident.timeline.filter(kind="call_customer").exists()


def test_twilio_saying_the_customer_unsubscribed_opts_them_out_here_too(fake_twilio):
    incident = logged_incident()
    fake_twilio.fail_next(status=400, code=21610)
    services.message_send(message_id=acknowledgement(incident).pk)
    incident.rental.customer.refresh_from_db()
    assert incident.rental.customer.sms_opted_out_at is not None


def test_a_lost_answer_is_recorded_as_unknown_and_not_resent(fake_twilio):
    message = acknowledgement(logged_incident())
    hang = fake_twilio.hang_next(accept=True)
    services.message_send(message_id=message.pk)
    hang.released.set()
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    assert len(fake_twilio.messages) == 1


def test_the_sweeper_settles_an_unknown_outcome_with_twilios_sid_without_resending(fake_twilio):
    message = acknowledgement(logged_incident())
    hang = fake_twilio.hang_next(accept=True)
    services.message_send(message_id=message.pk)
    hang.released.set()
    counts = services.messages_sweep(now=timezone.now() + timedelta(seconds=1))
    message.refresh_from_db()
    assert counts["found"] == 1 and counts["resent"] == 0
    assert message.twilio_sid == fake_twilio.messages[0].sid
    assert message.status == MessageStatus.SENDING
    assert len(fake_twilio.messages) == 1


def test_the_sweeper_resends_a_message_twilio_never_got(fake_twilio, _no_broker):
    message = acknowledgement(logged_incident())
    hang = fake_twilio.hang_next(accept=False)
    services.message_send(message_id=message.pk)
    hang.released.set()
    assert fake_twilio.messages == []
    _no_broker.clear()
    counts = services.messages_sweep(now=timezone.now() + timedelta(seconds=1))
    assert counts["resent"] == 1 and _no_broker == [message.pk]
    services.message_send(message_id=message.pk)
    assert fake_twilio.bodies_to(message.to_number) == [message.body]


def test_the_sweeper_enqueues_queued_messages_whose_task_was_lost(fake_twilio, _no_broker):
    message = acknowledgement(logged_incident())
    counts = services.messages_sweep(now=timezone.now() + timedelta(seconds=1))
    assert counts["requeued"] == 1 and message.pk in _no_broker


def test_a_customer_who_opts_out_after_queueing_gets_nothing(fake_twilio):
    incident = logged_incident()
    message = acknowledgement(incident)
    incident.rental.customer.sms_opted_out_at = timezone.now()
    incident.rental.customer.save()
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.not_sent_reason) == (MessageStatus.NOT_SENT, "opted_out")
    assert fake_twilio.messages == []


def test_the_send_rate_per_sender_is_shared_and_charged_by_segment(settings):
    import redis

    settings.PRONTO = {**settings.PRONTO, "SMS_RATE_PER_SECOND": 1.0}
    sender = f"+39020000{timezone.now().microsecond:06d}"
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(f"pronto:sms-rate:{sender}")
    assert send_slot_take(sender=sender, segments=2) == 0.0
    wait = send_slot_take(sender=sender, segments=1)
    assert 1.0 < wait <= 2.0
    assert send_slot_take(sender="+390299999999" + sender[-2:], segments=1) == 0.0
