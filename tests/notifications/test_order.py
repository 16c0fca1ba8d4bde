"""A customer's texts for an incident leave in the order they were queued, and a text the incident
has overtaken is recorded as superseded instead of sent: proven with a real Celery worker (two
processes), a slow and jittery fake Twilio, and a worker killed mid-send."""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Message, MessageKind, MessageStatus
from recovery import services as recovery
from tests.factories import UserFactory
from tests.helpers import wait_until
from tests.notifications.helpers import dispatch, logged_incident

pytestmark = pytest.mark.worker

SETTLED = (MessageStatus.NOT_SENT, MessageStatus.SUPERSEDED, MessageStatus.FAILED)


def all_settled(incident) -> bool:
    """Every text of the incident is at Twilio (has its SID) or will never be sent."""
    messages = Message.objects.filter(incident=incident)
    return all(message.twilio_sid or message.status in SETTLED for message in messages)


def sweep_now() -> dict[str, int]:
    return services.messages_sweep(now=timezone.now() + timedelta(minutes=10))


def test_many_texts_to_several_customers_reach_twilio_in_the_order_they_were_queued(sms_worker, fake_twilio):
    fake_twilio.slow_down(0.25)
    desk = UserFactory(role="dispatcher", username="marta")
    incidents = [logged_incident(contact_name=f"Cliente {n}", mobile=f"+3934710000{n:02d}") for n in range(3)]
    for incident in incidents:
        for number in range(1, 7):
            services.dispatcher_message_send(incident=incident, body=f"Update {number} of 6", by=desk)

    for incident in incidents:
        wait_until(lambda incident=incident: all_settled(incident), timeout=60)
    for incident in incidents:
        queued = list(Message.objects.filter(incident=incident).order_by("created_at", "pk"))
        assert fake_twilio.bodies_to(queued[0].to_number) == [message.body for message in queued]


def test_a_text_the_incident_overtook_while_an_earlier_one_was_in_doubt_is_superseded(
    sms_worker, fake_twilio, settings
):
    settings.PRONTO = {**settings.PRONTO, "SMS_SWEEP_GRACE_SECONDS": 0, "SMS_STALE_SENDING_SECONDS": 0}
    hang = fake_twilio.hang_next(accept=True)
    incident = logged_incident()  # Twilio takes the apology and its answer never comes back
    assert hang.started.wait(20)
    incident = dispatch(incident)  # the ETA waits behind it
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)  # "on site" waits too
    apology = Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT)
    wait_until(lambda: Message.objects.get(pk=apology.pk).status == MessageStatus.UNKNOWN)
    hang.released.set()
    assert Message.objects.get(incident=incident, kind=MessageKind.ETA).status == MessageStatus.QUEUED

    sweep_now()  # finds the apology at Twilio; the texts behind it go on
    wait_until(lambda: all_settled(incident), timeout=30)
    texts = {message.kind: message for message in Message.objects.filter(incident=incident)}
    assert texts[MessageKind.ETA].status == MessageStatus.SUPERSEDED
    assert fake_twilio.bodies_to(apology.to_number) == [apology.body, texts[MessageKind.ARRIVAL].body]


@pytest.mark.parametrize("twilio_took_it", [False, True], ids=["request-lost", "answer-lost"])
def test_a_worker_killed_mid_send_neither_reorders_nor_repeats_the_story(
    sms_worker, fake_twilio, settings, twilio_took_it
):
    settings.PRONTO = {**settings.PRONTO, "SMS_SWEEP_GRACE_SECONDS": 0, "SMS_STALE_SENDING_SECONDS": 0}
    hang = fake_twilio.hang_next(accept=twilio_took_it)
    incident = logged_incident()
    assert hang.started.wait(20)
    sms_worker.stop(sig=signal.SIGKILL)
    hang.released.set()

    # While no worker runs, the crew is dispatched, arrives and the machine runs again.
    incident = dispatch(incident)
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    recovery.incident_recover(incident=incident, outcome="swapped", by=None)
    sms_worker.start()
    sweep_now()  # settles the apology (found at Twilio, or sent again once)

    wait_until(lambda: all_settled(incident), timeout=30)
    texts = {message.kind: message for message in Message.objects.filter(incident=incident)}
    assert (texts[MessageKind.ETA].status, texts[MessageKind.ARRIVAL].status) == (
        MessageStatus.SUPERSEDED,
        MessageStatus.SUPERSEDED,
    )
    # An apology Twilio never got is not sent after the machine runs again; one it got stays the only one.
    story = [texts[MessageKind.RECOVERED].body]
    if twilio_took_it:
        story.insert(0, texts[MessageKind.ACKNOWLEDGEMENT].body)
    else:
        assert texts[MessageKind.ACKNOWLEDGEMENT].status == MessageStatus.SUPERSEDED
    assert fake_twilio.bodies_to(texts[MessageKind.RECOVERED].to_number) == story
