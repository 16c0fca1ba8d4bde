"""The story the customer reads makes sense: an overtaken text is superseded, a later text waits for
an earlier one, and a cancellation after a texted arrival time is told, in their language."""

import pytest

from notifications import services
from notifications.backends import locmem
from notifications.models import Message, MessageKind, MessageStatus
from notifications.segments import GSM7, segment_count
from recovery import services as recovery
from tests.notifications.helpers import dispatched_incident, logged_incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings, monkeypatch):
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)


def text(incident, kind) -> Message:
    return Message.objects.get(incident=incident, kind=kind)


def send(message: Message) -> Message:
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def bodies() -> list[str]:
    return [message.body for message in locmem.outbox]


def test_a_later_text_waits_while_an_earlier_one_is_queued():
    incident = dispatched_incident()
    eta = send(text(incident, MessageKind.ETA))
    assert eta.status == MessageStatus.QUEUED  # the apology has not left yet
    send(text(incident, MessageKind.ACKNOWLEDGEMENT))
    assert send(eta).status == MessageStatus.SENDING
    assert bodies() == [text(incident, MessageKind.ACKNOWLEDGEMENT).body, eta.body]


def test_an_eta_still_queued_when_the_crew_arrives_is_superseded_not_sent():
    incident = dispatched_incident()
    send(text(incident, MessageKind.ACKNOWLEDGEMENT))
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    assert send(text(incident, MessageKind.ETA)).status == MessageStatus.SUPERSEDED
    assert send(text(incident, MessageKind.ARRIVAL)).status == MessageStatus.SENDING
    assert bodies() == [
        text(incident, kind).body for kind in (MessageKind.ACKNOWLEDGEMENT, MessageKind.ARRIVAL)
    ]


def test_on_site_still_queued_when_the_machine_runs_again_is_superseded():
    incident = dispatched_incident()
    for kind in (MessageKind.ACKNOWLEDGEMENT, MessageKind.ETA):
        send(text(incident, kind))
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    recovery.incident_recover(incident=incident, outcome="swapped", by=None)
    assert send(text(incident, MessageKind.ARRIVAL)).status == MessageStatus.SUPERSEDED
    assert send(text(incident, MessageKind.RECOVERED)).status == MessageStatus.SENDING


@pytest.mark.parametrize(
    ("language", "words"),
    [("it", "abbiamo annullato l'intervento"), ("en", "we have cancelled the visit")],
)
def test_cancelling_after_the_eta_was_texted_tells_the_customer_in_their_language(language, words):
    incident = dispatched_incident(language=language)
    for kind in (MessageKind.ACKNOWLEDGEMENT, MessageKind.ETA):
        send(text(incident, kind))
    recovery.incident_cancel(incident=incident, reason="Customer fixed it", by=None)
    cancellation = send(text(incident, MessageKind.CANCELLED))
    assert cancellation.status == MessageStatus.SENDING
    assert cancellation.body.startswith("Giulia, ") and words in cancellation.body
    assert "+39 02 4870 1100" in cancellation.body
    assert segment_count(cancellation.body) == (GSM7, cancellation.segments) and cancellation.segments <= 2


def test_cancelling_before_any_arrival_time_was_texted_sends_nothing_more():
    incident = logged_incident()
    send(text(incident, MessageKind.ACKNOWLEDGEMENT))
    recovery.incident_cancel(incident=incident, reason="False alarm", by=None)
    assert not Message.objects.filter(incident=incident, kind=MessageKind.CANCELLED).exists()


def test_cancelling_while_the_eta_is_still_queued_supersedes_both():
    incident = dispatched_incident()
    send(text(incident, MessageKind.ACKNOWLEDGEMENT))
    recovery.incident_cancel(incident=incident, reason="Customer fixed it", by=None)
    assert send(text(incident, MessageKind.ETA)).status == MessageStatus.SUPERSEDED
    assert send(text(incident, MessageKind.CANCELLED)).status == MessageStatus.SUPERSEDED
    assert bodies() == [text(incident, MessageKind.ACKNOWLEDGEMENT).body]
