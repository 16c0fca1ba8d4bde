"""The demo's "customer's phone": a newcomer plays the customer through the real, signed SMS webhook."""

import pytest

from fleet.models import Customer
from notifications import services as sms_services
from notifications.models import Direction, Message
from recovery.models import EventKind
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, live_server):
    """make run's settings: DEBUG, SMS printed, a demo auth token, links on the served address."""
    settings.DEBUG = True
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    settings.TWILIO_AUTH_TOKEN = "demo-auth-token"
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server


@pytest.fixture
def incident(rental, dispatcher, monkeypatch):
    monkeypatch.setattr(sms_services, "_enqueue", lambda message_id: None)
    return factories.incident_through(rental=rental, by=dispatcher)


def test_a_reply_typed_on_the_customers_phone_lands_in_the_conversation(demo, dispatcher_client, incident):
    page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Customer's phone (demo)" in page

    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/customer-phone/", {"body": "Siamo fermi, arrivate presto?"}, follow=True
    )

    assert "The customer&#x27;s text went through the SMS webhook." in response.content.decode()
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert (inbound.body, inbound.from_number) == (
        "Siamo fermi, arrivate presto?",
        incident.rental.customer.mobile,
    )
    event = incident.timeline.get(kind=EventKind.CUSTOMER_MESSAGE)
    assert event.detail == "Siamo fermi, arrivate presto?"


def test_stop_from_the_customers_phone_opts_them_out(demo, dispatcher_client, incident):
    dispatcher_client.post(f"/incidents/{incident.pk}/customer-phone/", {"body": "STOP"})

    assert Customer.objects.get(pk=incident.rental.customer_id).sms_opted_out_at is not None
    page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "does not receive SMS" in page


def test_a_text_signed_with_another_token_is_refused_by_the_webhook(
    demo, dispatcher_client, incident, monkeypatch
):
    from twilio.request_validator import RequestValidator

    from notifications import demo as sms_demo

    monkeypatch.setattr(sms_demo, "RequestValidator", lambda token: RequestValidator("not-our-token"))
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/customer-phone/", {"body": "Ciao"}, follow=True
    )

    assert "The SMS webhook answered 403." in response.content.decode()
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()


def test_outside_the_demo_there_is_no_customers_phone(settings, dispatcher_client, incident):
    settings.DEBUG = False
    settings.TWILIO_AUTH_TOKEN = "demo-auth-token"

    assert "Customer's phone" not in dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()
    assert (
        dispatcher_client.post(f"/incidents/{incident.pk}/customer-phone/", {"body": "STOP"}).status_code
        == 404
    )
    assert Customer.objects.get(pk=incident.rental.customer_id).sms_opted_out_at is None
