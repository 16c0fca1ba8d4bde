"""The customer's tracking page and the desk's SMS conversation API."""

import time

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from notifications import services
from notifications.models import Message, MessageKind, MessageStatus
from notifications.tracking import tracking_token
from tests.conftest import api_client_for
from tests.factories import TechnicianFactory, UserFactory
from tests.notifications.helpers import dispatched_incident, logged_incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)


def page(token: str, language: str = "en"):
    return Client().get(f"/t/{token}/", headers={"Accept-Language": language})


def test_the_tracking_page_shows_status_eta_technician_and_a_call_button_in_the_customers_language():
    incident = dispatched_incident(language="it")
    response = page(tracking_token(incident_id=incident.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "In viaggio verso di lei" in html
    assert timezone.localtime(incident.current_eta).strftime("%H:%M") in html
    assert "Luca" in html
    assert 'href="tel:+390248701100"' in html
    for private in ("Edilizia Rossi", "Giulia", "Via Roma", incident.broken_machine.fleet_number):
        assert private not in html


def test_the_link_sent_at_dispatch_opens_the_page():
    incident = dispatched_incident(language="en")
    body = Message.objects.get(incident=incident, kind=MessageKind.ETA).body
    path = body[body.index("/t/") :].split()[0]

    response = Client().get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert timezone.localtime(incident.current_eta).strftime("%H:%M") in html
    assert "Luca" in html


def test_a_tampered_link_is_a_friendly_404():
    incident = dispatched_incident()
    token = tracking_token(incident_id=incident.pk)
    forged = str(incident.pk + 1) + token[len(str(incident.pk)) :]
    response = page(forged)
    assert response.status_code == 404
    assert "<h1>This link has expired</h1>" in response.content.decode()
    assert "<h1>Questo link è scaduto</h1>" in page(forged, language="it").content.decode()


def test_an_expired_link_is_a_friendly_404(monkeypatch, settings):
    incident = dispatched_incident()
    old = time.time() - (settings.PRONTO["TRACKING_LINK_MAX_AGE_HOURS"] + 1) * 3600
    monkeypatch.setattr(signing.time, "time", lambda: old)
    token = tracking_token(incident_id=incident.pk)
    monkeypatch.undo()
    response = page(token)
    assert response.status_code == 404
    assert "<h1>This link has expired</h1>" in response.content.decode()


def test_a_dispatcher_replies_to_the_customer_from_the_api(dispatcher_api):
    incident = logged_incident()
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/messages/", {"body": "Arriviamo dal cancello nord"}, format="json"
    )
    assert response.status_code == 201
    message = Message.objects.get(pk=response.data["id"])
    assert (message.kind, message.status, message.body) == (
        MessageKind.FREE_TEXT,
        MessageStatus.QUEUED,
        "Arriviamo dal cancello nord",
    )
    listed = dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/messages/").data
    assert [m["kind"] for m in listed] == ["acknowledgement", "free_text"]


def test_a_technician_cannot_text_customers_from_the_api():
    incident = logged_incident()
    technician = TechnicianFactory(user=UserFactory(username="tec", role="technician"))
    response = api_client_for(technician.user).post(
        f"/api/v1/incidents/{incident.pk}/messages/", {"body": "Ciao"}, format="json"
    )
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_replying_to_an_opted_out_customer_is_refused_with_a_reason(dispatcher_api):
    incident = logged_incident(sms_opted_out_at=timezone.now())
    response = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/messages/", {"body": "Ciao"}, format="json"
    )
    assert response.status_code == 400
    assert "STOP" in response.data["detail"]
