"""History, the customer's page and the managers' queue: what the desk finds after the board."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEntry
from recovery import services
from recovery.models import Channel, GoodwillStatus, IncidentStatus
from tests import factories
from tests.console.conftest import client_for
from tests.factories import incident_through

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(rental, technician, dispatcher):
    """A recovery from last week, one cancelled today, and one still open."""
    recovered = incident_through(
        IncidentStatus.RECOVERED,
        repair_only=True,
        rental=rental,
        technician=technician,
        by=dispatcher,
        reported_at=timezone.now() - timedelta(days=7),
        on_site_after=40,
        recovered_after=75,
    )
    services.incident_close(incident=recovered, by=dispatcher)
    other = factories.RentalFactory(
        customer=factories.CustomerFactory(
            company="Costruzioni Città Alta S.p.A.", contact_name="Marco Bianchi"
        ),
        site_address="Viale Europa 4, Bergamo",
    )
    cancelled = services.incident_log(
        rental=other, reported_by=dispatcher, channel=Channel.PHONE, symptom="Nulla"
    )
    services.incident_cancel(incident=cancelled, by=dispatcher, reason="False alarm")
    third = factories.RentalFactory(customer=factories.CustomerFactory(company="Aperto S.r.l."))
    still_open = services.incident_log(
        rental=third, reported_by=dispatcher, channel=Channel.PHONE, symptom="Fermo"
    )
    return {"recovered": recovered, "cancelled": cancelled, "open": still_open}


def test_history_lists_finished_incidents_newest_first_not_open_ones(dispatcher_client, finished):
    page = dispatcher_client.get("/history/").content.decode()

    assert page.index(f"#{finished['cancelled'].pk}<") < page.index(f"#{finished['recovered'].pk}<")
    assert "Aperto S.r.l." not in page
    assert "2 finished incidents" in page


def test_history_search_and_filters(dispatcher_client, finished):
    searched = dispatcher_client.get("/history/", {"q": "citta europa"}).content.decode()
    by_status = dispatcher_client.get("/history/", {"status": "closed"}).content.decode()
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    by_date = dispatcher_client.get("/history/", {"since": since}).content.decode()

    assert "Costruzioni <mark>Città</mark> Alta" in searched and "Edilizia Rossi" not in searched
    assert "Edilizia Rossi" in by_status and "Costruzioni" not in by_status
    assert "Costruzioni" in by_date and "Edilizia Rossi" not in by_date


def test_history_with_nonsense_filters_is_the_whole_history_not_an_error(dispatcher_client, finished):
    response = dispatcher_client.get("/history/", {"since": "yesterday", "branch": "x", "page": "99"})

    assert response.status_code == 200
    assert "Edilizia Rossi" in response.content.decode() or "Costruzioni" in response.content.decode()


def test_customer_page_shows_record_incidents_verdicts_and_conversation(
    dispatcher_client, dispatcher, finished
):
    customer = finished["recovered"].rental.customer
    services.survey_response_record(incident=finished["recovered"], score=9)
    services.customer_record_refresh(customer=customer)

    response = dispatcher_client.get(f"/customers/{customer.pk}/")
    page = response.content.decode()

    assert "Recovery record" in page and ">1<" in page  # one recovery
    assert f"#{finished['recovered'].pk}" in page
    assert "9/10" in page and "promoter" in page
    assert "apology on logging" in page  # the SMS sent when the breakdown was logged
    assert AuditEntry.objects.filter(object_type="customer", object_id=str(customer.pk)).exists()


def test_a_missing_customer_is_a_friendly_404(dispatcher_client):
    response = dispatcher_client.get("/customers/987654/")

    assert response.status_code == 404
    assert "There is no customer #987654" in response.content.decode()


def test_manager_sees_how_much_waits_and_approves_from_the_queue(manager_client, dispatcher, rental):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Fermo"
    )
    credit = services.goodwill_grant(
        incident=incident, amount_eur=Decimal("2500"), reason="Gru ferma due giorni", by=dispatcher
    )

    board = manager_client.get("/").content.decode()
    queue = manager_client.get("/queue/").content.decode()
    response = manager_client.post(
        f"/goodwill/{credit.pk}/decide/", {"decision": "approve", "next": "/queue/"}, follow=True
    )

    assert '<span class="count">1<' in board
    assert "€2,500.00" in queue and "Gru ferma due giorni" in queue
    credit.refresh_from_db()
    assert credit.status == GoodwillStatus.APPROVED
    assert response.redirect_chain[-1][0] == "/queue/"
    assert "No credit is waiting for approval." in response.content.decode()
    assert '<span class="count">' not in response.content.decode()


def test_the_queue_is_for_managers(dispatcher_client):
    response = dispatcher_client.get("/queue/")

    assert response.status_code == 403
    assert "This page is for managers" in response.content.decode()


def test_dispatchers_see_no_queue_count(dispatcher_client, dispatcher, rental):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Fermo"
    )
    services.goodwill_grant(incident=incident, amount_eur=Decimal("2500"), reason="Due giorni", by=dispatcher)

    page = dispatcher_client.get("/").content.decode()

    assert 'href="/queue/"' not in page
    assert 'href="/history/"' in page


def test_follow_ups_handled_from_the_queue_come_back_to_it(manager_client, manager, finished):
    services.survey_response_record(incident=finished["recovered"], score=2)
    follow_up = finished["recovered"].follow_up

    response = manager_client.post(
        f"/loyalty/follow-ups/{follow_up.pk}/",
        {"note": "Chiamato, scuse fatte", "close": "on", "next": "/queue/"},
    )

    assert response["Location"] == "/queue/#follow-ups"
    assert client_for(manager).get("/queue/").status_code == 200
