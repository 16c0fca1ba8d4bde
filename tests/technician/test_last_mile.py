"""The last mile: when the crew's pings put them LAST_MILE_MINUTES from the site, the customer gets
one "Luca will be with you in about N minutes", in their language, once per incident."""

from datetime import timedelta
from math import ceil

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Message, MessageKind
from recovery.models import EventKind, Incident
from routing.providers import StraightLineProvider
from tests.factories import BERGAMO, SITE
from tests.technician.conftest import API, iso
from tests.technician.test_location import ping

pytestmark = pytest.mark.django_db

# About 5.5 km north of the site as the crow flies: some 7 minutes by road at the depot's truck speed.
NEARBY = (SITE[0] + 0.05, SITE[1])
# About 10 km north: some 13 minutes by road, outside the default ten.
OUTSKIRTS = (SITE[0] + 0.09, SITE[1])


def minutes_from(origin) -> int:
    """What the text should say: the drive at the depot's truck speed (no journey history), rounded up."""
    drive = StraightLineProvider().leg(origin, SITE, speed_kmh=60).duration
    return ceil(drive.total_seconds() / 60)


def last_mile_texts(incident) -> list[str]:
    return list(
        Message.objects.filter(incident=incident, kind=MessageKind.LAST_MILE).values_list("body", flat=True)
    )


@pytest.fixture
def en_route(job, lucas_phone):
    at = timezone.now() - timedelta(minutes=30)
    lucas_phone.post(f"{API}/jobs/{job.pk}/status/", {"status": "en_route", "at": iso(at)}, format="json")
    return Incident.objects.get(pk=job.pk)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "Giulia, Luca arriva tra circa {n} minuti. Filiale: +39 02 4870 1100"),
        ("en", "Giulia, Luca will be with you in about {n} minutes. Branch: +39 02 4870 1100"),
    ],
)
def test_a_ping_within_ten_minutes_of_the_site_tells_the_customer_once(en_route, lucas_phone, language, text):
    customer = en_route.rental.customer
    customer.language = language
    customer.save(update_fields=["language"])
    now = timezone.now().replace(microsecond=0)

    ping(lucas_phone, (*OUTSKIRTS, now - timedelta(minutes=6)))
    assert last_mile_texts(en_route) == []

    for at in (now - timedelta(minutes=1), now):  # closer and closer: still one text
        assert ping(lucas_phone, (*NEARBY, at)).status_code == 200

    assert last_mile_texts(en_route) == [text.format(n=minutes_from(NEARBY))]
    event = en_route.timeline.get(kind=EventKind.APPROACHING)
    assert event.data == {"minutes": minutes_from(NEARBY)}
    assert event.detail.startswith(f"About {minutes_from(NEARBY)} min away")


def test_far_away_nothing_is_said(en_route, lucas_phone):
    ping(lucas_phone, (*BERGAMO, timezone.now()))

    assert last_mile_texts(en_route) == []
    assert not en_route.timeline.filter(kind=EventKind.APPROACHING).exists()


def test_the_distance_that_counts_is_a_setting(en_route, lucas_phone, settings):
    settings.PRONTO = {**settings.PRONTO, "LAST_MILE_MINUTES": 15}

    ping(lucas_phone, (*OUTSKIRTS, timezone.now()))

    assert len(last_mile_texts(en_route)) == 1


def test_a_ping_flushed_long_after_it_was_taken_says_nothing(en_route, lucas_phone):
    # Queued offline twenty minutes ago, eight minutes from the site: they are there by now.
    ping(lucas_phone, (*NEARBY, timezone.now() - timedelta(minutes=20)))

    assert last_mile_texts(en_route) == []


def test_before_setting_off_a_nearby_ping_says_nothing(job, lucas_phone):
    ping(lucas_phone, (*NEARBY, timezone.now()))

    assert last_mile_texts(job) == []


def test_a_text_still_queued_when_the_crew_arrives_is_superseded(
    en_route, lucas_phone, settings, monkeypatch
):
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    monkeypatch.setattr(services, "_enqueue", lambda message_id: None)
    ping(lucas_phone, (*NEARBY, timezone.now()))
    lucas_phone.post(
        f"{API}/jobs/{en_route.pk}/status/", {"status": "on_site", "at": iso(timezone.now())}, format="json"
    )

    for message in Message.objects.filter(incident=en_route).order_by("created_at", "id"):
        services.message_send(message_id=message.pk)

    sent = {m.kind: m.status for m in Message.objects.filter(incident=en_route)}
    assert (sent[MessageKind.LAST_MILE], sent[MessageKind.ARRIVAL]) == ("superseded", "sending")
