"""/metrics reads recovery and SMS figures from the database at scrape time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Message, MessageStatus
from recovery.models import Incident
from tests.factories import incident_through
from tests.notifications.helpers import logged_incident
from tests.privacy.helpers import deliver_queued_messages

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def lines() -> set[str]:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        return set(response.content.decode().splitlines())

    return lines


def recovered_in(minutes: int) -> Incident:
    return incident_through(
        "recovered",
        reported_at=timezone.now() - timedelta(minutes=minutes + 1),
        on_site_after=minutes / 2,
        recovered_after=minutes,
    )


def test_time_to_recovery_histogram_counts_stored_durations_in_minute_buckets(scrape):
    for minutes in (25, 50, 50, 200, 2000):
        recovered_in(minutes)

    lines = scrape()

    expected = {"30": 1, "60": 3, "120": 3, "240": 4, "480": 4, "1440": 4, "+Inf": 5}
    for le, count in expected.items():
        assert f'pronto_time_to_recovery_minutes_bucket{{le="{le}"}} {count:.1f}' in lines
    assert "pronto_time_to_recovery_minutes_count 5.0" in lines
    assert "pronto_time_to_recovery_minutes_sum 2325.0" in lines


def test_open_incidents_are_counted_by_status_with_zero_for_empty_ones(scrape):
    logged_incident()
    logged_incident()
    recovered_in(40)

    lines = scrape()

    assert 'pronto_incidents_open{status="reported"} 2.0' in lines
    assert 'pronto_incidents_open{status="on_site"} 0.0' in lines
    assert not any('status="recovered"' in line for line in lines if line.startswith("pronto_incidents_open"))


def test_sms_in_the_ledger_are_counted_by_direction_and_status(scrape, settings):
    logged_incident()
    logged_incident()
    deliver_queued_messages(settings)
    queued = logged_incident()
    failed = Message.objects.get(incident=queued)
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED, status_updated_at=timezone.now())
    logged_incident()

    lines = scrape()

    assert 'pronto_sms_messages{direction="outbound",status="delivered"} 2.0' in lines
    assert 'pronto_sms_messages{direction="outbound",status="failed"} 1.0' in lines
    assert 'pronto_sms_messages{direction="outbound",status="queued"} 1.0' in lines
    assert 'pronto_sms_messages{direction="outbound",status="undelivered"} 0.0' in lines
    assert 'pronto_sms_messages{direction="inbound",status="received"} 0.0' in lines
