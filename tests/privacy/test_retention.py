"""SMS bodies (and their quotes on the timeline) are deleted after the retention period; the
ledger rows stay for the delivery figures. The clock is passed in, never slept on."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from core.models import IdempotencyKey
from notifications import services as sms
from notifications.models import Message, MessageStatus
from privacy import services
from privacy.tasks import retention_apply_task
from recovery.models import EventKind, TimelineEvent
from tests import factories
from tests.notifications.helpers import logged_incident
from tests.privacy.helpers import deliver_queued_messages

pytestmark = pytest.mark.django_db

DAYS = 180


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.PRONTO = {**settings.PRONTO, "SMS_BODY_RETENTION_DAYS": DAYS}


@pytest.fixture
def conversation(settings):
    """An acknowledgement, delivered, and the customer's reply quoted on the timeline."""
    incident = logged_incident()
    deliver_queued_messages(settings)
    sms.inbound_message_receive(
        from_number=str(incident.rental.customer.mobile),
        to_number="+390000000000",
        body="Siamo al cancello nord",
        sid="SMreply0001",
    )
    return incident


def test_bodies_older_than_the_retention_are_deleted_and_the_rows_kept(conversation):
    before = sorted(Message.objects.values_list("pk", "direction", "kind", "status", "segments"))
    later = timezone.now() + timedelta(days=DAYS, minutes=1)

    counts = services.retention_apply(now=later)

    assert counts["sms_bodies"] == 2
    assert sorted(Message.objects.values_list("pk", "direction", "kind", "status", "segments")) == before
    assert set(Message.objects.values_list("body", flat=True)) == {""}
    assert set(Message.objects.values_list("body_erased_at", flat=True)) == {later}


def test_bodies_younger_than_the_retention_are_kept(conversation):
    counts = services.retention_apply(now=timezone.now() + timedelta(days=DAYS - 1))

    assert counts["sms_bodies"] == 0
    assert "" not in set(Message.objects.values_list("body", flat=True))


def test_the_retention_period_comes_from_the_setting(conversation, settings):
    settings.PRONTO = {**settings.PRONTO, "SMS_BODY_RETENTION_DAYS": 30}

    counts = services.retention_apply(now=timezone.now() + timedelta(days=31))

    assert counts["sms_bodies"] == 2


def test_the_customers_sms_quoted_on_the_timeline_expires_with_the_body(conversation):
    services.retention_apply(now=timezone.now() + timedelta(days=DAYS + 1))

    quote = TimelineEvent.objects.get(incident=conversation, kind=EventKind.CUSTOMER_MESSAGE)
    assert quote.detail == "[deleted after the retention period]"


def test_a_text_still_being_sent_keeps_its_body_for_the_sweeper(conversation):
    # The sweeper asks Twilio by number and body whether an unanswered send arrived.
    stuck = Message.objects.filter(direction="outbound").first()
    Message.objects.filter(pk=stuck.pk).update(status=MessageStatus.UNKNOWN)

    services.retention_apply(now=timezone.now() + timedelta(days=DAYS + 1))

    stuck.refresh_from_db()
    assert stuck.body != "" and stuck.body_erased_at is None


def test_a_second_run_finds_nothing_more_to_delete(conversation):
    later = timezone.now() + timedelta(days=DAYS + 1)
    services.retention_apply(now=later)

    assert services.retention_apply(now=later + timedelta(days=1)) == {
        "sms_bodies": 0,
        "timeline_quotes": 0,
        "stored_api_answers": 0,
    }
    assert set(Message.objects.values_list("body_erased_at", flat=True)) == {later}


def test_stored_api_answers_are_forgotten_after_a_day():
    user = factories.UserFactory()
    old = IdempotencyKey.objects.create(user=user, key="old", fingerprint="x", response_body={"a": 1})
    IdempotencyKey.objects.create(user=user, key="new", fingerprint="y", response_body={"a": 2})
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    counts = services.retention_apply()

    assert counts["stored_api_answers"] == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_the_daily_task_applies_the_retention_at_the_current_time(conversation, monkeypatch):
    later = timezone.now() + timedelta(days=DAYS + 1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)

    retention_apply_task.apply()

    assert set(Message.objects.values_list("body", flat=True)) == {""}


def test_beat_runs_the_retention_once_a_day_at_night():
    entry = django_settings.CELERY_BEAT_SCHEDULE["personal-data-retention"]

    assert entry["task"] == retention_apply_task.name
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {30}
