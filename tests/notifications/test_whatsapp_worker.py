"""WhatsApp through the real Celery worker and the fake Twilio: a template outside the window, free
text once the customer wrote, and error 63016 falling back to SMS."""

import json

import pytest
from django.test import Client

from fleet.models import ChannelPreference
from notifications import services
from notifications.models import Channel, Message, MessageKind, MessageStatus
from tests.conftest import _worker_sending_through
from tests.factories import UserFactory
from tests.helpers import wait_until
from tests.notifications.helpers import logged_incident

pytestmark = pytest.mark.worker

WHATSAPP_FROM = "+390200000099"
ACK_IT = "HX" + "a" * 32


@pytest.fixture
def whatsapp_worker(fake_twilio, celery_worker_process, celery_worker, settings):
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.WHATSAPP_TEMPLATES = {"acknowledgement:it": ACK_IT}
    return _worker_sending_through(
        celery_worker_process,
        fake_twilio,
        TWILIO_WHATSAPP_FROM=WHATSAPP_FROM,
        WHATSAPP_TEMPLATES=json.dumps(settings.WHATSAPP_TEMPLATES),
    )


def test_whatsapp_through_the_worker_template_then_free_text_then_sms_on_63016(
    whatsapp_worker, fake_twilio, settings
):
    incident = logged_incident(channel_preference=ChannelPreference.WHATSAPP)
    customer = incident.rental.customer
    to = f"whatsapp:{customer.mobile}"
    wait_until(lambda: len(fake_twilio.messages) == 1, timeout=30)
    assert (fake_twilio.messages[0].to, fake_twilio.messages[0].content_sid) == (to, ACK_IT)

    # The customer answers on WhatsApp: the window opens at Twilio (the fake) and in our ledger.
    url = settings.PUBLIC_BASE_URL + "/webhooks/twilio/sms/"
    params, signature = fake_twilio.inbound_request(
        url, from_=to, to=f"whatsapp:{WHATSAPP_FROM}", body="Siamo fermi"
    )
    assert (
        Client().post("/webhooks/twilio/sms/", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    )
    desk = UserFactory(role="dispatcher", username="marta")
    services.dispatcher_message_send(incident=incident, body="Arriviamo alle 15", by=desk)
    wait_until(lambda: len(fake_twilio.messages) == 2, timeout=30)
    assert (fake_twilio.messages[1].to, fake_twilio.messages[1].body) == (to, "Arriviamo alle 15")
    assert fake_twilio.messages[1].content_sid is None

    fake_twilio.fail_next(status=400, code=63016, message="Outside the allowed window.")
    services.dispatcher_message_send(incident=incident, body="Ci scusi il ritardo", by=desk)
    wait_until(lambda: fake_twilio.bodies_to(str(customer.mobile)) == ["Ci scusi il ritardo"], timeout=30)
    failed = Message.objects.get(
        kind=MessageKind.FREE_TEXT, channel=Channel.WHATSAPP, body="Ci scusi il ritardo"
    )
    assert (failed.status, failed.error_code) == (MessageStatus.FAILED, 63016)
    assert Message.objects.get(fallback_of=failed).channel == Channel.SMS
