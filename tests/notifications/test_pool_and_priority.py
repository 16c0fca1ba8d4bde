"""A Messaging Service's pool: texts spread over its numbers, each number within its own budget,
a customer always texted from the same number, and a breakdown's texts before surveys. With a
real worker and the fake Twilio holding each number to one segment a second, as Twilio does."""

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import transaction

from notifications import services
from notifications.models import Message, MessageKind
from tests.fakes.twilio_server import MESSAGING_SERVICE_SID, SENDER_POOL
from tests.helpers import wait_until
from tests.notifications.helpers import logged_incident

pytestmark = pytest.mark.worker


def at_twilio(count: int, fake) -> bool:
    return len(fake.messages) >= count


def test_a_burst_spreads_over_the_pool_within_each_numbers_rate_and_keeps_each_customer_on_one_number(
    pooled_sms_worker, fake_twilio
):
    with transaction.atomic():  # twenty breakdowns committed at once: their apologies leave in a burst
        incidents = [
            logged_incident(contact_name=f"Cliente {n}", mobile=f"+3934720000{n:02d}") for n in range(20)
        ]
    wait_until(lambda: at_twilio(20, fake_twilio), timeout=60)
    for incident in incidents:
        services.dispatcher_message_send(
            incident=incident, body="Arriviamo tra poco.", by=incident.reported_by
        )
    wait_until(lambda: at_twilio(40, fake_twilio), timeout=60)

    assert {message.messaging_service_sid for message in fake_twilio.messages} == {MESSAGING_SERVICE_SID}
    assert {message.from_ for message in fake_twilio.messages} == set(SENDER_POOL)
    by_customer = defaultdict(set)
    for message in fake_twilio.messages:
        by_customer[message.to].add(message.from_)
    assert all(len(numbers) == 1 for numbers in by_customer.values())
    # Our budget held every number to Twilio's rate: a number's next text left only once the
    # previous one's segments had had their second each.
    claims = defaultdict(list)
    for sender, started, segments in Message.objects.filter(direction="outbound").values_list(
        "from_number", "sending_started_at", "segments"
    ):
        claims[sender].append((started, segments))
    for sent in claims.values():
        for (before, segments), (after, _) in pairwise(sorted(sent)):
            assert after - before >= timedelta(seconds=segments - 0.2)
    ledger = Message.objects.filter(direction="outbound").values_list("to_number", "from_number")
    assert all(by_customer[to] == {sender} for to, sender in ledger)


def test_a_breakdowns_texts_leave_before_surveys_queued_ahead_of_them(pooled_sms_worker, fake_twilio):
    earlier = [logged_incident(contact_name=f"Cliente {n}", mobile=f"+3934730000{n:02d}") for n in range(10)]
    wait_until(lambda: at_twilio(10, fake_twilio), timeout=60)
    with transaction.atomic():
        surveys = [
            services.customer_message_queue(incident=incident, kind=MessageKind.SURVEY)
            for incident in earlier
        ]
        breakdowns = [
            logged_incident(contact_name=f"Nuovo {n}", mobile=f"+3934740000{n:02d}") for n in range(10)
        ]
    wait_until(lambda: at_twilio(30, fake_twilio), timeout=90)

    arrival = {message.body: index for index, message in enumerate(fake_twilio.messages)}
    apologies = Message.objects.filter(incident__in=breakdowns, kind=MessageKind.ACKNOWLEDGEMENT)
    assert max(arrival[message.body] for message in apologies) < min(
        arrival[survey.body] for survey in surveys
    )
