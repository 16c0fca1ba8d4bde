"""Twilio's webhooks: inbound SMS and status callbacks, signed or refused."""

import uuid

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from notifications import services
from notifications.models import Direction, Message, MessageKind, MessageStatus
from recovery import services as recovery
from recovery.models import FollowUp, SurveyResponse
from tests import factories
from tests.fakes.twilio_server import AUTH_TOKEN
from tests.notifications.helpers import dispatched_incident, logged_incident

pytestmark = pytest.mark.django_db
PUBLIC = "https://pronto.example.com"
INBOUND = "/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def _signing(settings, monkeypatch):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)


def post_signed(path: str, params: dict, *, token: str = AUTH_TOKEN):
    signature = RequestValidator(token).compute_signature(PUBLIC + path, params)
    return Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def text_from(customer, body: str):
    params = {
        "From": str(customer.mobile),
        "To": "+390200000001",
        "Body": body,
        "MessageSid": f"SM{uuid.uuid4().hex}",
    }
    return post_signed(INBOUND, params)


def test_a_forged_inbound_sms_is_refused_and_nothing_is_stored():
    customer = logged_incident().rental.customer
    params = {"From": str(customer.mobile), "Body": "STOP", "MessageSid": "SM" + "1" * 32}
    assert post_signed(INBOUND, params, token="not-our-token").status_code == 403
    assert Client().post(INBOUND, params).status_code == 403
    customer.refresh_from_db()
    assert customer.sms_opted_out_at is None
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()


def test_webhooks_only_accept_post():
    assert Client().get(INBOUND).status_code == 405


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "Stop all", "UNSUBSCRIBE", "annulla", "FERMA", "Basta.", "DISISCRIVI"]
)
def test_stop_words_in_english_and_italian_opt_the_number_out(word):
    customer = logged_incident().rental.customer
    assert text_from(customer, word).status_code == 200
    customer.refresh_from_db()
    assert customer.sms_opted_out_at is not None


def test_after_stop_no_further_sms_is_sent_and_start_opts_back_in():
    incident = dispatched_incident()
    customer = incident.rental.customer
    text_from(customer, "STOP")
    recovery.dispatch_depart(incident=incident, by=None)
    recovery.dispatch_arrive(incident=incident, by=None)
    arrival = Message.objects.get(incident=incident, kind=MessageKind.ARRIVAL)
    assert (arrival.status, arrival.not_sent_reason) == (MessageStatus.NOT_SENT, "opted_out")
    text_from(customer, "START")
    customer.refresh_from_db()
    assert customer.sms_opted_out_at is None


@pytest.mark.parametrize(
    ("word", "language", "words"),
    [("HELP", "en", "call our Milano branch"), ("aiuto", "it", "chiami la filiale")],
)
def test_help_answers_with_the_branch_phone(word, language, words):
    customer = logged_incident(language=language).rental.customer
    text_from(customer, word)
    answer = Message.objects.get(customer=customer, kind=MessageKind.HELP)
    assert words in answer.body and "+39 02 4870 1100" in answer.body
    assert answer.status == MessageStatus.QUEUED


def recovered_and_surveyed(**customer):
    incident = factories.incident_through("recovered", incident=dispatched_incident(**customer))
    services.customer_message_queue(incident=incident, kind=MessageKind.SURVEY)
    return incident


def test_a_score_answering_an_open_survey_is_recorded():
    incident = recovered_and_surveyed()
    text_from(incident.rental.customer, " 9 ")
    response = SurveyResponse.objects.get(incident=incident)
    assert (response.score, response.category) == (9, "promoter")
    assert not FollowUp.objects.filter(incident=incident).exists()


def test_a_detractor_score_opens_a_follow_up_for_a_manager():
    incident = recovered_and_surveyed()
    text_from(incident.rental.customer, "3/10")
    assert SurveyResponse.objects.get(incident=incident).category == "detractor"
    assert FollowUp.objects.filter(incident=incident, status="open").exists()


def test_a_number_without_an_open_survey_is_an_ordinary_message_for_the_desk():
    incident = logged_incident()
    text_from(incident.rental.customer, "5")
    assert not SurveyResponse.objects.exists()
    assert incident.timeline.filter(kind="customer_message", detail="5").exists()


def test_anything_else_lands_on_the_open_incident_for_the_dispatcher():
    incident = logged_incident()
    response = text_from(incident.rental.customer, "Il cancello è chiuso, chiamate prima")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    reply = Message.objects.get(direction=Direction.INBOUND)
    assert (reply.incident, reply.status, reply.kind) == (incident, MessageStatus.RECEIVED, MessageKind.REPLY)
    assert incident.timeline.filter(kind="customer_message", detail__startswith="Il cancello").exists()


def test_twilio_retrying_an_inbound_webhook_stores_it_once():
    customer = logged_incident().rental.customer
    params = {
        "From": str(customer.mobile),
        "To": "+390200000001",
        "Body": "Ciao",
        "MessageSid": "SM" + "2" * 32,
    }
    post_signed(INBOUND, params)
    post_signed(INBOUND, params)
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def status_callback(message: Message, status: str, *, sid: str, error_code: str = ""):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}
    if error_code:
        params["ErrorCode"] = error_code
    return post_signed(f"/webhooks/twilio/status/{message.pk}/", params)


def sent_acknowledgement() -> tuple[Message, str]:
    message = Message.objects.get(incident=logged_incident(), kind=MessageKind.ACKNOWLEDGEMENT)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    return message, message.twilio_sid


def test_status_callbacks_only_move_forward_when_they_arrive_out_of_order():
    message, sid = sent_acknowledgement()
    assert status_callback(message, "delivered", sid=sid).status_code == 200
    assert status_callback(message, "sent", sid=sid).status_code == 200
    assert status_callback(message, "delivered", sid=sid).status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_a_callback_settles_a_message_whose_create_answer_was_lost():
    message, _ = sent_acknowledgement()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.UNKNOWN, twilio_sid=None)
    status_callback(message, "sent", sid="SM" + "3" * 32)
    message.refresh_from_db()
    assert (message.status, message.twilio_sid) == (MessageStatus.SENT, "SM" + "3" * 32)


def test_an_undelivered_callback_asks_the_desk_to_call_once():
    message, sid = sent_acknowledgement()
    status_callback(message, "undelivered", sid=sid, error_code="30003")
    status_callback(message, "undelivered", sid=sid, error_code="30003")
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.UNDELIVERED, 30003)
    assert message.incident.timeline.filter(kind="call_customer").count() == 1


def test_a_callback_for_an_unknown_message_is_answered_200():
    params = {"MessageSid": "SM" + "4" * 32, "MessageStatus": "delivered"}
    assert post_signed("/webhooks/twilio/status/987654/", params).status_code == 200


def test_a_forged_status_callback_changes_nothing():
    message, sid = sent_acknowledgement()
    params = {"MessageSid": sid, "MessageStatus": "failed"}
    path = f"/webhooks/twilio/status/{message.pk}/"
    signature = RequestValidator("forged").compute_signature(PUBLIC + path, params)
    assert Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    message.refresh_from_db()
    assert message.status != MessageStatus.FAILED
