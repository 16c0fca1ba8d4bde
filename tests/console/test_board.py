"""The live board: open incidents most urgent first, SLA colours, a table region that polls alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recovery import services
from tests import factories
from tests.factories import SITE

pytestmark = pytest.mark.django_db


def log(rental, user, minutes_ago=0):
    return factories.incident_through(
        rental=rental,
        by=user,
        symptom="Track came off",
        reported_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_empty_board_says_everyone_is_running_and_offers_intake(dispatcher_client):
    page = dispatcher_client.get("/").content.decode()

    assert "No open incidents." in page
    assert 'href="/intake/"' in page


def test_board_lists_open_incidents_most_urgent_first(dispatcher_client, dispatcher, rental, second_rental):
    log(rental, dispatcher, minutes_ago=10)
    log(second_rental, dispatcher, minutes_ago=200)  # 4 h SLA: 40 minutes left

    page = dispatcher_client.get("/").content.decode()

    assert page.index("Scavi Bianchi") < page.index("Edilizia Rossi")
    assert "PR0000100" in page and "PR0000200" in page


def test_sla_countdown_turns_amber_under_an_hour_and_red_when_breached(
    dispatcher_client, dispatcher, rental, second_rental
):
    amber = log(rental, dispatcher, minutes_ago=200)
    red = log(second_rental, dispatcher, minutes_ago=250)

    page = dispatcher_client.get("/board/rows/").content.decode()

    row = {i.pk: page[page.index(f'id="incident-{i.pk}"') :][:600] for i in (amber, red)}
    assert "sla-warning" in row[amber.pk]
    assert "sla-danger" in row[red.pk] and "breached" in row[red.pk]


def test_call_the_customer_flag_shows_on_the_board(dispatcher_client, dispatcher, rental):
    incident = log(rental, dispatcher)
    services.incident_flag_for_call(incident=incident, reason="SMS undeliverable: number not in service")

    assert "Call the customer" in dispatcher_client.get("/board/rows/").content.decode()


def test_polled_partial_is_the_table_alone_so_nothing_else_on_the_page_is_replaced(
    dispatcher_client, dispatcher, rental
):
    log(rental, dispatcher)
    board = dispatcher_client.get("/").content.decode()
    rows = dispatcher_client.get("/board/rows/", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-get="/board/rows/"' in board and 'hx-trigger="every 5s"' in board
    assert "Edilizia Rossi" in rows
    assert "<header" not in rows and "quick-find" not in rows and "<html" not in rows


def _rental_on_site(mini, milano, fleet_number: str, company: str):
    machine = factories.MachineFactory(
        fleet_number=fleet_number,
        category=mini,
        home_branch=milano,
        status="on_rent",
        lat=SITE[0],
        lon=SITE[1],
    )
    customer = factories.CustomerFactory(company=company)
    return factories.RentalFactory(customer=customer, machine=machine, branch=milano)


def test_a_busy_board_shows_a_page_of_the_most_urgent_and_the_poll_keeps_the_page(
    dispatcher_client, dispatcher, mini, milano, settings
):
    settings.CONSOLE_BOARD_PAGE_SIZE = 2
    for minutes_ago, company in ((200, "Urgente Uno"), (150, "Urgente Due"), (10, "Tranquilla Tre")):
        log(_rental_on_site(mini, milano, f"PR9{minutes_ago:06d}", company), dispatcher, minutes_ago)

    first = dispatcher_client.get("/").content.decode()
    second = dispatcher_client.get("/?page=2").content.decode()

    assert "Urgente Uno" in first and "Urgente Due" in first and "Tranquilla Tre" not in first
    assert "1–2 of 3 open incidents" in first and 'href="/?page=2"' in first
    assert "Tranquilla Tre" in second and "Urgente Uno" not in second
    assert 'hx-get="/board/rows/?page=2"' in second


def test_board_poll_costs_the_same_few_queries_however_many_incidents_are_open(
    dispatcher_client, dispatcher, mini, milano, django_assert_max_num_queries
):
    for number in range(12):
        log(_rental_on_site(mini, milano, f"PR8{number:06d}", f"Cliente {number}"), dispatcher, number)

    # Session, user, language and roles; the page's count, then its rows (replies counted in the same
    # query) in a transaction that fixes the join order (a savepoint here, inside the test's transaction).
    with django_assert_max_num_queries(9):
        rows = dispatcher_client.get("/board/rows/").content.decode()

    assert rows.count('id="incident-') == 12
