"""The customer's tracking page on a phone, in a real browser: what they see, and that it follows
the crew without a reload."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fleet.models import Technician
from notifications import services
from notifications.tracking import tracking_token
from recovery import services as recovery
from tests.console.conftest import screenshot
from tests.notifications.helpers import dispatched_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)


def en_route_incident(*, language: str):
    incident = dispatched_incident(language=language)
    recovery.dispatch_depart(incident=incident, by=incident.technician.user)
    Technician.objects.filter(pk=incident.technician_id).update(
        lat=incident.site_lat + 0.05, lon=incident.site_lon + 0.05, position_updated_at=timezone.now()
    )
    return incident


def test_on_a_phone_the_customer_sees_the_brand_the_steps_the_time_the_crew_and_a_way_to_reach_us(
    new_page, live_server
):
    incident = en_route_incident(language="it")
    page = new_page(**PHONE, locale="it-IT")
    page.goto(f"{live_server.url}/t/{tracking_token(incident_id=incident.pk)}/")

    assert page.get_by_role("banner").inner_text().strip() == "Pronto Noleggi"
    assert page.get_by_role("heading", level=1).inner_text() == "In viaggio verso di lei"
    eta = timezone.localtime(incident.current_eta)
    assert page.locator('[data-live="eta"]').inner_text() == f"{eta:%H:%M}"
    assert page.locator('[aria-current="step"]').inner_text() == "In viaggio"
    assert page.locator(".step.done").all_inner_texts() == ["Richiesta ricevuta"]
    assert "Luca si occupa di lei." in page.get_by_role("main").inner_text()
    assert page.get_by_role("link", name="Ci chiami").get_attribute("href").startswith("tel:+39")
    # The map shows the site and the crew, labelled, with no tile server configured.
    assert page.locator(".leaflet-tooltip").all_inner_texts() == ["Il suo cantiere", "La nostra squadra"]
    # Styled by our own stylesheets (the CSP forbids inline style): the brand colour reaches the button.
    call = page.get_by_role("link", name="Ci chiami")
    assert call.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(11, 79, 138)"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    html = page.content()
    for private in ("Edilizia Rossi", "Giulia", "Via Roma", incident.broken_machine.fleet_number):
        assert private not in html
    screenshot(page, "tracking-phone-it-en-route")


def test_the_open_page_follows_the_incident_without_a_reload(new_page, live_server, settings):
    settings.PRONTO = {**settings.PRONTO, "TRACKING_POLL_SECONDS": 1}
    incident = en_route_incident(language="en")
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/t/{tracking_token(incident_id=incident.pk)}/")
    page.evaluate("window.__same_page = true")
    later = incident.current_eta + timedelta(minutes=25)
    recovery.eta_revise(incident=incident, eta=later, reason="Traffic on the A4", by=incident.reported_by)

    # expect() polls the page for us (a string predicate would need eval, which the CSP forbids).
    expect(page.locator('[data-live="eta"]')).to_have_text(f"{timezone.localtime(later):%H:%M}")
    recovery.dispatch_arrive(incident=incident, by=incident.technician.user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Our technician is on site")

    assert page.evaluate("window.__same_page") is True
    assert page.locator('[aria-current="step"]').inner_text() == "On site"
    assert page.locator('[data-live="arrival"]').is_hidden()
    screenshot(page, "tracking-phone-en-on-site")


def test_an_expired_link_is_a_page_a_customer_understands(new_page, live_server):
    page = new_page(**PHONE)
    response = page.goto(f"{live_server.url}/t/not-a-real-token/")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
