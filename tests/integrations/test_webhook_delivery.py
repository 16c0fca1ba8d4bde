"""Webhooks to the rental system, with the clock driven by the test: signed, once per event id, in
order per rental, through an outage, and replayable from the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from contracts.models import RentalLine
from integrations import webhooks
from integrations.models import Delivery, DeliveryStatus, EventType, Subscription
from integrations.signing import signature_header, signature_valid
from recovery import services
from recovery.models import Channel
from tests.factories import MONZA, machine_at
from tests.integrations.helpers import Courier, swap

pytestmark = pytest.mark.django_db

SWAP_EVENTS = [
    "incident.opened",
    "replacement.dispatched",
    "rental.exchanged",
    "workorder.opened",
    "rental.downtime_credited",
]


@pytest.fixture
def replacement(mini, monza):
    return machine_at(mini, monza, MONZA, "PR0000002", hour_meter=Decimal("310.5"))


@pytest.fixture
def courier(monkeypatch, rental_system):
    courier = Courier(monkeypatch, start=timezone.now())
    rental_system.clock = lambda: courier.now.timestamp()
    return courier


@pytest.fixture
def day_rate(rental):
    RentalLine.objects.filter(rental=rental).update(rate_eur=Decimal("240.00"), rate_period="day")


def test_a_swap_reaches_the_rental_system_signed_and_in_order(
    endpoint, rental_system, courier, rental, dispatcher, technician, replacement, day_rate
):
    t0 = courier.now - timedelta(hours=2)
    incident = swap(
        rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0
    )

    courier.tick()

    assert rental_system.types() == SWAP_EVENTS
    assert rental_system.rejected_signatures == 0
    exchanged = rental_system.applied[2]["data"]
    assert exchanged["rental"]["id"] == rental.pk
    assert exchanged["exchange_reason"] == "breakdown"
    assert exchanged["closed_line"]["machine"]["fleet_number"] == "PR0000100"
    assert exchanged["opened_line"]["machine"]["fleet_number"] == "PR0000002"
    assert exchanged["closed_line"]["off_hire_at"] == exchanged["opened_line"]["on_hire_at"]
    assert exchanged["opened_line"]["hour_meter_out"] == "310.5"
    assert exchanged["opened_line"]["rate_eur"] == "240.00"
    credit = rental_system.applied[4]["data"]
    # 80 minutes at 240 a day: 1.33 h x 10/h.
    assert (credit["incident_id"], credit["status"], credit["hours"], credit["amount_eur"]) == (
        incident.pk,
        "credited",
        "1.33",
        "13.30",
    )


def test_only_subscribed_types_are_sent(endpoint, rental_system, courier, rental, dispatcher):
    Subscription.objects.exclude(event_type=EventType.INCIDENT_OPENED).delete()
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead"
    )
    services.incident_cancel(incident=incident, reason="Battery isolator was off", by=dispatcher)

    courier.tick()

    assert rental_system.types() == ["incident.opened"]


def test_a_step_that_rolls_back_leaves_no_event_behind(endpoint, rental_system, courier, rental, dispatcher):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.incident_log(rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead")
        raise RuntimeError("the step failed after the event was written")

    courier.tick()

    assert Delivery.objects.count() == 0
    assert rental_system.requests == []


def test_a_rental_system_down_for_ten_minutes_gets_every_event_once_and_in_order(
    endpoint, rental_system, courier, rental, dispatcher, technician, replacement
):
    rental_system.down = True
    swap(
        rental=rental,
        dispatcher=dispatcher,
        technician=technician,
        replacement=replacement,
        t0=courier.now - timedelta(hours=2),
    )
    for _ in range(10):
        courier.tick()
    assert rental_system.applied == []
    first = Delivery.objects.order_by("id").first()
    assert first.attempts >= 4  # 30 s, 60 s, 120 s, 240 s...
    assert Delivery.objects.filter(attempts=0).count() == 4  # the rest wait their turn, untried

    rental_system.down = False
    courier.until_all_delivered(limit=timedelta(hours=1))

    assert rental_system.types() == SWAP_EVENTS
    # Whatever arrived twice carried the same id, which the receiver's check dropped.
    assert len(rental_system.requests) == len(set(rental_system.requests)) == len(SWAP_EVENTS)
    assert first.log.count() == Delivery.objects.get(pk=first.pk).attempts


def test_a_later_event_waits_for_an_earlier_one_of_the_same_rental_only(
    endpoint, rental_system, courier, rental, dispatcher
):
    other_rental = type(rental).objects.get(pk=rental.pk)
    other_rental.pk = None
    other_rental.machine = machine_at(
        rental.machine.category, rental.branch, (45.55, 9.2), "PR0000300", status="on_rent"
    )
    other_rental.save()
    held = services.incident_log(rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead")
    first = Delivery.objects.get()
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=courier.now + timedelta(minutes=30))
    services.incident_cancel(incident=held, reason="Fuse", by=dispatcher)  # nothing subscribed fires
    services.incident_log(rental=other_rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead")
    second_same_rental = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Again"
    )

    courier.tick()
    applied = [
        (event["data"]["rental"]["id"], event["data"]["incident"]["id"]) for event in rental_system.applied
    ]
    assert applied == [(other_rental.pk, held.pk + 1)]  # the other rental's went; this rental's waits

    courier.tick(seconds=30 * 60)
    applied = [event["data"]["incident"]["id"] for event in rental_system.applied]
    assert applied == [held.pk + 1, held.pk, second_same_rental.pk]


def test_a_delivery_that_keeps_failing_is_given_up_hands_over_and_can_be_replayed(
    endpoint, rental_system, courier, rental, dispatcher, settings
):
    settings.PRONTO = {**settings.PRONTO, "WEBHOOK_MAX_ATTEMPTS": 3}
    rental_system.down = True
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead"
    )
    for _ in range(5):
        courier.tick()
    given_up = Delivery.objects.get()
    assert (given_up.status, given_up.attempts, given_up.last_error) == (DeliveryStatus.FAILED, 3, "HTTP 503")

    rental_system.down = False
    services.incident_cancel(incident=incident, reason="Fuse", by=dispatcher)
    services.incident_log(rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead again")
    courier.tick()
    assert rental_system.types() == ["incident.opened"]
    assert rental_system.applied[0]["data"]["incident"]["symptom"] == "Dead again"

    assert webhooks.delivery_replay(delivery=given_up, now=courier.now) is True
    courier.tick()
    assert [event["data"]["incident"]["symptom"] for event in rental_system.applied] == ["Dead again", "Dead"]
    assert rental_system.applied[1]["id"] == f"evt_{given_up.event.event_id.hex}"


def test_repeated_tasks_for_a_delivered_event_post_nothing_more(
    endpoint, rental_system, courier, rental, dispatcher
):
    services.incident_log(rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead")
    courier.tick()
    delivery = Delivery.objects.get()
    for _ in range(3):
        webhooks.delivery_attempt(delivery_id=delivery.pk, now=courier.now)

    assert len(rental_system.requests) == 1


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"id":"evt_1"}'
    header = signature_header(secret="whsec_x", timestamp=1_800_000_000, body=body)

    assert header.startswith("t=1800000000,v1=")
    assert signature_valid(secret="whsec_x", header=header, body=body, now=1_800_000_010)
    assert not signature_valid(secret="whsec_x", header=header, body=body + b" ", now=1_800_000_010)
    assert not signature_valid(secret="whsec_other", header=header, body=body, now=1_800_000_010)
    assert not signature_valid(secret="whsec_x", header=header, body=body, now=1_800_000_000 + 301)
