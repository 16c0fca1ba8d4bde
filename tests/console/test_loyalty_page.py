"""The managers' loyalty page: figures, empty states, the follow-up queue and the CSV export."""

import threading
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.test import Client

from fleet.demo import seed_demo
from recovery import loyalty
from recovery.demo import seed_history
from recovery.figures import recovered_incidents
from recovery.models import FollowUpStatus
from tests.factories import incident_through

pytestmark = pytest.mark.django_db


@pytest.fixture
def detractor(rental, technician, dispatcher):
    return incident_through(
        "recovered",
        rental=rental,
        technician=technician,
        by=dispatcher,
        reported_at=loyalty.this_week().since + timedelta(minutes=5),
        repair_only=True,
        symptom="Engine will not start",
        on_site_after=50,
        recovered_after=90,
        score=4,
    )


def test_empty_loyalty_page_says_there_is_nothing_yet(manager_client):
    page = manager_client.get("/loyalty/").content.decode()

    assert "No recovery yet in this period." in page
    assert "No detractor is waiting for a call." in page
    assert "No customer has a recovery on record yet." in page


def test_loyalty_page_shows_this_weeks_figures(manager_client, detractor):
    page = manager_client.get("/loyalty/").content.decode()

    assert '<dd data-figure="recoveries">1</dd>' in page
    assert '<dd data-figure="median">1 h 30 min</dd>' in page
    assert '<dd data-figure="sla">100%</dd>' in page
    assert "promoters 0 · passives 0 · detractors 1" in page
    assert "Edilizia Rossi S.r.l." in page


def test_manager_assigns_notes_and_closes_a_follow_up(manager_client, manager, detractor):
    follow_up = detractor.follow_up
    response = manager_client.post(
        f"/loyalty/follow-ups/{follow_up.pk}/",
        {"assigned_to": manager.pk, "note": "Called Giulia, offered a free day", "close": "on"},
        follow=True,
    )

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert follow_up.assigned_to == manager and "free day" in follow_up.note
    assert "Follow-up updated." in response.content.decode()


def test_csv_export_of_the_incident_metrics(manager_client, detractor):
    response = manager_client.get("/loyalty/incidents.csv?period=month")

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv"
    assert 'filename="pronto-recovery-month.csv"' in response["Content-Disposition"]
    header, row, trailer = body.strip().splitlines()
    assert header.startswith("incident,customer,branch,category")
    assert ",90.0," in row and "Edilizia Rossi S.r.l." in row
    assert trailer == "# complete: 1 incidents"


def test_an_export_cut_by_a_database_failure_never_ends_like_a_complete_one(
    manager_client, detractor, monkeypatch
):
    def rows_then_failure(**kwargs):
        yield loyalty.CSV_COLUMNS
        yield ["1"] * len(loyalty.CSV_COLUMNS)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(loyalty, "incident_metrics_rows", rows_then_failure)
    response = manager_client.get("/loyalty/incidents.csv?period=all")

    received = []
    with pytest.raises(OperationalError):
        for chunk in response.streaming_content:
            received.append(chunk.decode())
    assert len(received) == 2 and not any(line.startswith("# complete") for line in received)


@pytest.mark.django_db(transaction=True)
def test_the_export_under_concurrent_load_returns_every_row(live_server):
    seed_demo(machines=2000, customers=30, technicians_per_branch=2)
    seed_history(past_incidents=3000, open_incidents=20)
    recovered = recovered_incidents().count()
    desk, manager = requests.Session(), requests.Session()
    for session, username in ((desk, "dispatcher"), (manager, "manager")):
        session.cookies.set("sessionid", _session_key(username))
    done = threading.Event()

    def poll_the_board():
        while not done.is_set():
            assert desk.get(f"{live_server.url}/board/rows/", timeout=30).status_code == 200

    pollers = [threading.Thread(target=poll_the_board) for _ in range(4)]
    for poller in pollers:
        poller.start()
    try:
        export = manager.get(f"{live_server.url}/loyalty/incidents.csv?period=all", timeout=60)
    finally:
        done.set()
        for poller in pollers:
            poller.join()

    header, *rows, trailer = export.text.splitlines()
    assert export.status_code == 200 and header.startswith("incident,")
    assert len(rows) == len({row.split(",")[0] for row in rows}) == recovered > 2500
    assert trailer == f"# complete: {recovered} incidents"


def _session_key(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


def test_a_long_call_back_queue_shows_the_oldest_and_says_more_are_waiting(
    manager_client, detractor, second_rental, technician, dispatcher, monkeypatch
):
    incident_through(
        "recovered",
        rental=second_rental,
        technician=technician,
        by=dispatcher,
        reported_at=loyalty.this_week().since + timedelta(minutes=30),
        repair_only=True,
        on_site_after=50,
        recovered_after=90,
        score=2,
    )
    monkeypatch.setattr("console.views.FOLLOW_UPS_SHOWN", 1)

    page = manager_client.get("/loyalty/").content.decode()

    assert page.count('class="follow-up"') == 1
    assert f"incident {detractor.pk}</a>" in page  # the oldest
    assert 'data-figure="more-follow-ups"' in page
