"""Where the desk looks: a customer texting no longer reaches shows "phone them" on the board row
and on the incident page."""

import pytest
from django.utils import timezone

from notifications import services as sms
from notifications.models import Message, MessageKind, MessageStatus
from recovery import services
from recovery.models import Channel

pytestmark = pytest.mark.django_db
OPTED_OUT, FAILED = "opted out: phone them", "SMS failed: phone them"


def log(rental, user):
    return services.incident_log(
        rental=rental, reported_by=user, channel=Channel.PHONE, symptom="Track came off"
    )


def row(page: str, incident) -> str:
    start = page.index(f'id="incident-{incident.pk}"')
    return page[start : page.index("</tr>", start)]


def settle(incident, status: str, sid: str) -> None:
    message = Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT)
    sms.message_status_update(message_id=message.pk, sid=sid, status=status, error_code=30003)


def test_an_opted_out_customer_shows_on_the_board_row_and_the_incident_page(
    dispatcher_client, dispatcher, rental
):
    rental.customer.sms_opted_out_at = timezone.now()
    rental.customer.save()
    incident = log(rental, dispatcher)

    assert OPTED_OUT in row(dispatcher_client.get("/").content.decode(), incident)
    assert OPTED_OUT in dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()


def test_a_failed_text_shows_on_the_board_row_and_the_incident_page(dispatcher_client, dispatcher, rental):
    incident = log(rental, dispatcher)
    settle(incident, "failed", "SM" + "f" * 32)

    assert FAILED in row(dispatcher_client.get("/").content.decode(), incident)
    assert FAILED in dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()


def test_a_later_delivered_text_means_sms_reaches_them_again(dispatcher_client, dispatcher, rental):
    incident = log(rental, dispatcher)
    settle(incident, "undelivered", "SM" + "e" * 32)
    later = sms.dispatcher_message_send(incident=incident, body="Ci richiami, grazie.", by=dispatcher)
    sms.message_status_update(message_id=later.pk, sid="SM" + "d" * 32, status="delivered")
    assert Message.objects.get(pk=later.pk).status == MessageStatus.DELIVERED

    board_row = row(dispatcher_client.get("/").content.decode(), incident)
    assert FAILED not in board_row and OPTED_OUT not in board_row


def test_a_customer_texting_reaches_shows_neither(dispatcher_client, dispatcher, rental):
    incident = log(rental, dispatcher)
    board_row = row(dispatcher_client.get("/").content.decode(), incident)
    assert FAILED not in board_row and OPTED_OUT not in board_row


@pytest.mark.parametrize(("language", "words"), [("it", "niente SMS: telefonare")])
def test_the_flag_is_in_the_desks_language(dispatcher_client, dispatcher, rental, language, words):
    dispatcher_client.post("/language/", {"language": language})
    rental.customer.sms_consent = False
    rental.customer.save()
    incident = log(rental, dispatcher)
    assert words in row(dispatcher_client.get("/").content.decode(), incident)
