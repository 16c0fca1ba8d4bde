"""Suspected incidents from telematics on the console: flagged on the board with what the machine
said, confirmed (the customer is texted) or dismissed with a reason from the incident page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Message, MessageKind
from recovery import services
from recovery.models import IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspected(rental):
    return services.incident_suspect(
        rental=rental,
        fault_text="Engine coolant temperature high (SPN 110 FMI 0)",
        fault_at=timezone.now() - timedelta(minutes=3),
    )


def test_the_board_flags_the_suspicion_with_the_machines_words(dispatcher_client, suspected):
    rows = dispatcher_client.get("/board/rows/").content.decode()

    assert "Engine coolant temperature high (SPN 110 FMI 0)" in rows
    assert "status-suspected" in rows


def test_confirm_from_the_incident_page_texts_the_customer(dispatcher_client, suspected, replacements):
    page = dispatcher_client.get(f"/incidents/{suspected.pk}/").content.decode()
    assert "Confirm the breakdown" in page
    assert "Dismiss: not a breakdown" in page

    response = dispatcher_client.post(f"/incidents/{suspected.pk}/confirm/", follow=True)

    assert "Breakdown confirmed" in response.content.decode()
    suspected.refresh_from_db()
    assert suspected.status == IncidentStatus.REPORTED
    assert Message.objects.get(incident=suspected).kind == MessageKind.PROACTIVE


def test_dismiss_from_the_incident_page_needs_a_reason(dispatcher_client, suspected):
    dispatcher_client.post(f"/incidents/{suspected.pk}/dismiss/", {"reason": ""}, follow=True)
    suspected.refresh_from_db()
    assert suspected.status == IncidentStatus.SUSPECTED

    dispatcher_client.post(f"/incidents/{suspected.pk}/dismiss/", {"reason": "Planned shutdown"}, follow=True)

    suspected.refresh_from_db()
    assert suspected.status == IncidentStatus.DISMISSED
    assert "Engine coolant temperature high" not in dispatcher_client.get("/board/rows/").content.decode()
