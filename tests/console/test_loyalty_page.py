"""The managers' loyalty page: figures, empty states, the follow-up queue and the CSV export."""

from datetime import timedelta

import pytest

from recovery import loyalty
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
    header, row = body.strip().splitlines()
    assert header.startswith("incident,customer,branch,category")
    assert ",90.0," in row and "Edilizia Rossi S.r.l." in row
