"""What the customer reads at each step, in Italian and in English."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Message, MessageKind, MessageStatus
from notifications.segments import GSM7
from recovery import services as recovery
from tests.notifications.helpers import dispatched_incident, logged_incident

pytestmark = pytest.mark.django_db


def texts(incident) -> dict[str, Message]:
    return {message.kind: message for message in Message.objects.filter(incident=incident)}


def assert_fits(message: Message) -> None:
    assert message.segments <= 2
    assert message.encoding == GSM7, message.body


@pytest.mark.parametrize(
    ("language", "words"), [("it", "ci dispiace molto per il guasto"), ("en", "we are very sorry")]
)
def test_logging_a_breakdown_queues_an_apology_by_first_name(language, words):
    incident = logged_incident(language=language)
    message = texts(incident)[MessageKind.ACKNOWLEDGEMENT]
    assert message.body.startswith("Giulia, ")
    assert words in message.body
    assert "Edilizia Rossi" not in message.body
    assert "+39 02 4870 1100" in message.body
    assert (message.status, message.language, message.to_number) == (
        MessageStatus.QUEUED,
        language,
        str(incident.rental.customer.mobile),
    )
    assert_fits(message)


@pytest.mark.parametrize(
    ("language", "words"), [("it", "sarà da lei verso le"), ("en", "will be with you at about")]
)
def test_dispatch_tells_machine_type_local_time_technician_branch_phone_and_link(language, words):
    incident = dispatched_incident(language=language)
    message = texts(incident)[MessageKind.ETA]
    local = timezone.localtime(incident.current_eta).strftime("%H:%M")
    assert message.body.startswith("Giulia, ")
    assert f"{words} {local}" in message.body
    assert "Luca" in message.body
    assert "Mini excavator 1.5-2 t" in message.body  # the en dash would have forced UCS-2
    assert "+39 02 4870 1100" in message.body
    assert "/t/" in message.body
    assert_fits(message)


@pytest.mark.parametrize(
    ("language", "words"), [("it", "ci scusi: siamo in ritardo"), ("en", "running late")]
)
def test_a_delay_past_the_margin_apologises_with_the_new_local_time(language, words):
    incident = dispatched_incident(language=language)
    later = incident.current_eta + timedelta(minutes=40)
    recovery.eta_revise(incident=incident, eta=later, reason="Traffic on the A4", by=incident.reported_by)
    message = texts(incident)[MessageKind.DELAY]
    assert words in message.body
    assert timezone.localtime(later).strftime("%H:%M") in message.body
    assert_fits(message)


@pytest.mark.parametrize(
    ("language", "arrival", "recovered"),
    [("it", "è in cantiere ora", "di nuovo al lavoro"), ("en", "is on site now", "up and running again")],
)
def test_arrival_and_recovery_are_announced(language, arrival, recovered):
    incident = dispatched_incident(language=language)
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    recovery.incident_recover(incident=incident, outcome="swapped", by=None)
    sent = texts(incident)
    assert arrival in sent[MessageKind.ARRIVAL].body and "Luca" in sent[MessageKind.ARRIVAL].body
    assert recovered in sent[MessageKind.RECOVERED].body
    for message in sent.values():
        assert message.body.startswith("Giulia, ")
        assert_fits(message)


@pytest.mark.parametrize(("language", "words"), [("it", "da 0 a 10"), ("en", "from 0 to 10")])
def test_the_survey_goes_out_a_configured_time_after_recovery_once(language, words, settings):
    from notifications.services import surveys_queue_due

    settings.PRONTO = {**settings.PRONTO, "SURVEY_DELAY_MINUTES": 60}
    incident = dispatched_incident(language=language)
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    recovered_at = timezone.now()
    recovery.incident_recover(incident=incident, outcome="swapped", by=None, at=recovered_at)
    assert surveys_queue_due(now=recovered_at + timedelta(minutes=30)) == 0
    assert surveys_queue_due(now=recovered_at + timedelta(minutes=61)) == 1
    assert surveys_queue_due(now=recovered_at + timedelta(minutes=70)) == 0
    message = texts(incident)[MessageKind.SURVEY]
    assert words in message.body
    assert_fits(message)


def test_a_long_name_and_category_still_fit_in_two_segments():
    incident = dispatched_incident(language="it", contact_name="Massimiliano-Alessandro Bartolomei")
    incident.replacement_machine.category.name = "Piattaforma aerea articolata semovente 26 m"
    incident.replacement_machine.category.save()
    from notifications.messages import incident_message_text
    from notifications.segments import segment_count

    _, segments = segment_count(incident_message_text(incident=incident, kind=MessageKind.ETA))
    assert segments <= 2


def test_an_opted_out_customer_gets_a_ledger_row_marked_not_sent():
    incident = logged_incident(sms_opted_out_at=timezone.now())
    message = texts(incident)[MessageKind.ACKNOWLEDGEMENT]
    assert (message.status, message.not_sent_reason) == (MessageStatus.NOT_SENT, "opted_out")
