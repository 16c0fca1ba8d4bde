"""WhatsApp beside SMS through the real twilio client and the fake Twilio: the customer's choice of
channel, the 24-hour window and its templates, the fallback to SMS, inbound WhatsApp and opt-out."""

import json

import pytest
from django.test import Client

from fleet.models import ChannelPreference, Customer
from notifications import services
from notifications.models import Channel, Direction, Message, MessageKind, MessageStatus, NotSentReason
from recovery.models import EventKind
from tests.fakes.twilio_server import FROM_NUMBER
from tests.notifications.helpers import logged_incident

pytestmark = pytest.mark.django_db

PUBLIC = "https://pronto.example.com"
INBOUND = "/webhooks/twilio/sms/"
WHATSAPP_FROM = "+390200000099"
ACK_IT = "HX" + "a" * 32
ETA_IT = "HX" + "b" * 32


@pytest.fixture(autouse=True)
def _whatsapp_settings(settings, monkeypatch, fake_twilio):
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.WHATSAPP_TEMPLATES = {"acknowledgement:it": ACK_IT, "eta:it": ETA_IT}
    settings.PRONTO = {**settings.PRONTO, "SMS_RATE_PER_SECOND": 1000.0}
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)


def customer_writes(fake_twilio, customer: Customer, body: str, *, channel: str = Channel.WHATSAPP):
    """The customer writes to us: Twilio (the fake) posts the signed webhook, as it would."""
    prefix = "whatsapp:" if channel == Channel.WHATSAPP else ""
    params, signature = fake_twilio.inbound_request(
        PUBLIC + INBOUND, from_=f"{prefix}{customer.mobile}", to=f"{prefix}{WHATSAPP_FROM}", body=body
    )
    response = Client().post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    return response


def post_callback(fake_twilio, sid: str, status: str, *, error_code: int | None = None) -> None:
    url, params, signature = fake_twilio.status_callback_request(sid, status, error_code=error_code)
    response = Client().post(url.removeprefix(PUBLIC), params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200


def send_all_queued() -> None:
    """Send what is queued, and what that queues (a fallback), as the worker would."""
    for _ in range(3):
        for message_id in Message.objects.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True):
            services.message_send(message_id=message_id)


def outbound(incident, kind=MessageKind.ACKNOWLEDGEMENT, channel=Channel.WHATSAPP) -> Message:
    return Message.objects.get(incident=incident, kind=kind, channel=channel, direction=Direction.OUTBOUND)


# 1. The channel preference ---------------------------------------------------------------------


def test_a_new_customer_gets_sms_and_the_dispatcher_can_switch_them_to_whatsapp(dispatcher_api):
    created = dispatcher_api.post(
        "/api/v1/customers/",
        {"company": "Scavi Bruno S.r.l.", "contact_name": "Marco Bruno", "mobile": "347 123 4567"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["channel_preference"] == "sms"

    url = f"/api/v1/customers/{created.json()['id']}/"
    patched = dispatcher_api.patch(url, {"channel_preference": "whatsapp"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert Customer.objects.get().channel_preference == ChannelPreference.WHATSAPP

    refused = dispatcher_api.patch(url, {"channel_preference": "pigeon"}, format="json")
    assert refused.status_code == 400
    assert "channel_preference" in refused.json()["errors"]


def test_the_customer_chooses_whatsapp_or_sms_by_replying_and_is_answered_where_they_wrote(fake_twilio):
    customer = logged_incident().rental.customer
    customer_writes(fake_twilio, customer, "WhatsApp, grazie", channel=Channel.SMS)
    customer.refresh_from_db()
    assert customer.channel_preference == ChannelPreference.WHATSAPP
    customer_writes(fake_twilio, customer, "SMS")
    customer.refresh_from_db()
    assert customer.channel_preference == ChannelPreference.SMS

    answers = Message.objects.filter(kind=MessageKind.CHANNEL).order_by("created_at")
    assert [(answer.channel, answer.body) for answer in answers] == [
        (Channel.SMS, "Giulia, da ora le scriviamo su WhatsApp. Risponda SMS per tornare agli SMS."),
        (
            Channel.WHATSAPP,
            "Giulia, da ora le scriviamo per SMS. Risponda WHATSAPP per ricevere i messaggi su WhatsApp.",
        ),
    ]
    # The WhatsApp answer goes as free text: the customer's WHATSAPP message opened the window.
    send_all_queued()
    [sent] = [message for message in fake_twilio.messages if message.to.startswith("whatsapp:")]
    assert (sent.content_sid, sent.body) == (None, answers[1].body)


# 2. The outbox on the preferred channel(s) ------------------------------------------------------


def test_outside_the_window_a_whatsapp_goes_as_the_approved_template(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    message = outbound(incident)
    services.message_send(message_id=message.pk)

    [sent] = fake_twilio.messages
    assert (sent.to, sent.from_) == (f"whatsapp:{message.to_number}", f"whatsapp:{WHATSAPP_FROM}")
    assert sent.content_sid == ACK_IT
    assert sent.content_variables == {"1": message.body}
    message.refresh_from_db()
    assert (message.channel, message.content_sid, message.twilio_sid) == (Channel.WHATSAPP, ACK_IT, sent.sid)
    assert not Message.objects.filter(incident=incident, channel=Channel.SMS).exists()


def test_inside_the_window_a_whatsapp_is_free_text(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    customer_writes(fake_twilio, incident.rental.customer, "La macchina è ferma in cantiere")
    message = outbound(incident)
    services.message_send(message_id=message.pk)

    [sent] = fake_twilio.messages
    assert sent.content_sid is None
    assert sent.body == message.body
    message.refresh_from_db()
    assert message.content_sid == ""


def test_a_customer_who_wants_both_gets_each_text_on_both_channels(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.BOTH)
    send_all_queued()
    customer = incident.rental.customer
    assert sorted(message.to for message in fake_twilio.messages) == sorted(
        [str(customer.mobile), f"whatsapp:{customer.mobile}"]
    )


def test_error_63016_falls_back_to_sms_once_and_the_timeline_says_so(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    customer = incident.rental.customer
    # Our ledger holds a WhatsApp from the customer that Twilio never saw: Twilio's window is shut.
    customer_writes(fake_twilio, customer, "Pronto?")
    fake_twilio.whatsapp_last_inbound.clear()

    services.message_send(message_id=outbound(incident).pk)
    whatsapp_row = outbound(incident)
    assert (whatsapp_row.status, whatsapp_row.error_code) == (MessageStatus.FAILED, 63016)
    fallback = outbound(incident, channel=Channel.SMS)
    assert fallback.fallback_of_id == whatsapp_row.pk
    assert fallback.body == whatsapp_row.body

    send_all_queued()
    assert fake_twilio.bodies_to(str(customer.mobile)) == [whatsapp_row.body]
    notes = incident.timeline.filter(kind=EventKind.NOTE).values_list("detail", flat=True)
    assert any("went by SMS instead" in note and "63016" in note for note in notes)


def test_an_undelivered_whatsapp_falls_back_to_sms_once_however_often_twilio_calls_back(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    services.message_send(message_id=outbound(incident).pk)
    sid = fake_twilio.messages[0].sid

    post_callback(fake_twilio, sid, "undelivered", error_code=63024)
    post_callback(fake_twilio, sid, "undelivered", error_code=63024)
    send_all_queued()

    assert outbound(incident).status == MessageStatus.UNDELIVERED
    fallback = outbound(incident, channel=Channel.SMS)
    assert fallback.status == MessageStatus.SENDING
    assert fake_twilio.bodies_to(str(incident.rental.customer.mobile)) == [fallback.body]
    incident.refresh_from_db()
    assert incident.call_customer_reason == ""  # the SMS carries it: nobody needs to phone


def test_without_a_template_for_the_text_it_goes_by_sms_outside_the_window(fake_twilio, settings):
    settings.WHATSAPP_TEMPLATES = {}
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    send_all_queued()
    whatsapp_row = outbound(incident)
    assert (whatsapp_row.status, whatsapp_row.not_sent_reason) == (
        MessageStatus.NOT_SENT,
        NotSentReason.NO_TEMPLATE,
    )
    assert [message.to for message in fake_twilio.messages] == [str(incident.rental.customer.mobile)]


# 3. Inbound WhatsApp and the opt-out on every channel -------------------------------------------


def test_an_inbound_whatsapp_is_recorded_as_whatsapp_and_reaches_the_desk(fake_twilio):
    incident = logged_incident()
    customer_writes(fake_twilio, incident.rental.customer, "Il tecnico arriva?")
    reply = Message.objects.get(direction=Direction.INBOUND)
    assert (reply.channel, reply.from_number, reply.to_number) == (
        Channel.WHATSAPP,
        str(incident.rental.customer.mobile),
        WHATSAPP_FROM,
    )
    assert reply.incident == incident
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_MESSAGE, detail="Il tecnico arriva?").exists()


def test_stop_on_whatsapp_holds_on_every_channel(fake_twilio):
    incident = logged_incident(channel_preference=ChannelPreference.BOTH)
    customer_writes(fake_twilio, incident.rental.customer, "STOP")
    send_all_queued()
    assert fake_twilio.messages == []
    assert set(
        Message.objects.filter(direction=Direction.OUTBOUND).values_list("channel", "not_sent_reason")
    ) == {(Channel.SMS, NotSentReason.OPTED_OUT), (Channel.WHATSAPP, NotSentReason.OPTED_OUT)}


# 4. The fake keeps WhatsApp's rules -------------------------------------------------------------


def test_the_fake_refuses_free_text_outside_the_window_and_takes_it_inside(fake_twilio):
    from notifications.backends.base import PermanentSmsError
    from notifications.backends.twilio import TwilioBackend

    to, sender = "whatsapp:+393471234567", f"whatsapp:{FROM_NUMBER}"
    with pytest.raises(PermanentSmsError) as refused:
        TwilioBackend().send(to=to, body="Ciao", sender=sender)
    assert refused.value.code == 63016
    TwilioBackend().send(
        to=to, body="", sender=sender, content_sid=ETA_IT, content_variables=json.dumps({"1": "Ciao"})
    )
    fake_twilio.customer_wrote(to)
    TwilioBackend().send(to=to, body="Ciao", sender=sender)
    assert [(message.content_sid, message.body) for message in fake_twilio.messages] == [
        (ETA_IT, "Ciao"),
        (None, "Ciao"),
    ]
