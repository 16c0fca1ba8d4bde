"""Answers to the arrival-time text through Twilio's signed webhook: "1" confirms someone will
receive the machine, "2" says it works again; each lands on the timeline and the board."""

import pytest
from django.test import Client

from notifications import services
from notifications.models import Direction, Message, MessageKind
from recovery.models import EventKind, Incident, SurveyResponse
from tests import factories
from tests.notifications.helpers import dispatched_incident, logged_incident
from tests.notifications.test_replies import CONFIRMS, WORKS
from tests.notifications.test_webhooks import _signing, text_from  # noqa: F401  # the signing fixture

pytestmark = pytest.mark.django_db


def board_for(dispatcher) -> str:
    client = Client()
    client.force_login(dispatcher)
    return client.get("/board/rows/").content.decode()


@pytest.mark.parametrize("body", CONFIRMS)
def test_confirming_puts_someone_on_site_on_the_timeline_and_the_board(body, dispatcher):
    incident = dispatched_incident()

    assert text_from(incident.rental.customer, body).status_code == 200

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.customer_answer == "confirmed"
    event = incident.timeline.get(kind=EventKind.CUSTOMER_CONFIRMED)
    assert (event.detail, event.channel) == (body, "sms")
    assert not incident.timeline.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert "Customer confirms someone on site" in board_for(dispatcher)


@pytest.mark.parametrize("body", WORKS)
def test_saying_it_works_asks_the_dispatcher_whether_to_cancel(body, dispatcher):
    incident = dispatched_incident(language="en")

    text_from(incident.rental.customer, body)

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.customer_answer == "works"
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_WORKS, detail=body).exists()
    assert incident.status == "dispatched"  # the dispatcher decides: nothing is cancelled by a text
    assert "Customer says it works: cancel?" in board_for(dispatcher)


def test_the_answer_is_read_while_the_crew_is_on_its_way_too(dispatcher):
    incident = factories.incident_through("en_route", incident=dispatched_incident())

    text_from(incident.rental.customer, "2")

    assert Incident.objects.get(pk=incident.pk).customer_answer == "works"
    client = Client()
    client.force_login(dispatcher)
    assert "Customer says it works: cancel?" in client.get(f"/incidents/{incident.pk}/").content.decode()


def test_once_the_crew_is_on_site_the_tag_leaves_the_board_and_the_timeline_keeps_it(dispatcher):
    incident = dispatched_incident()
    text_from(incident.rental.customer, "1")

    factories.incident_through("on_site", incident=incident)

    assert "Customer confirms someone on site" not in board_for(dispatcher)
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_CONFIRMED).exists()


def test_a_later_answer_replaces_the_earlier_one_and_both_stay_on_the_timeline(dispatcher):
    incident = dispatched_incident()

    text_from(incident.rental.customer, "1")
    text_from(incident.rental.customer, "FUNZIONA")

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.customer_answer == "works"
    assert [e.kind for e in incident.timeline.filter(kind__startswith="customer_")] == [
        EventKind.CUSTOMER_CONFIRMED,
        EventKind.CUSTOMER_WORKS,
    ]
    board = board_for(dispatcher)
    assert "Customer says it works: cancel?" in board and "Customer confirms" not in board


@pytest.mark.parametrize("body", ["OK", "1", "funziona"])
def test_before_dispatch_an_answer_is_an_ordinary_message_for_the_desk(body):
    incident = logged_incident()

    text_from(incident.rental.customer, body)

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.customer_answer == ""
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_MESSAGE, detail=body).exists()


def test_once_the_crew_is_on_site_ok_is_an_ordinary_message():
    incident = factories.incident_through("on_site", incident=dispatched_incident())

    text_from(incident.rental.customer, "ok")

    assert Incident.objects.get(pk=incident.pk).customer_answer == ""
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_MESSAGE, detail="ok").exists()


def test_other_words_still_go_to_the_conversation():
    incident = dispatched_incident()

    text_from(incident.rental.customer, "ok ma il cancello chiude alle 17")

    assert Incident.objects.get(pk=incident.pk).customer_answer == ""
    assert incident.timeline.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert Message.objects.filter(direction=Direction.INBOUND, incident=incident).count() == 1


@pytest.mark.parametrize("score", [1, 2])
def test_with_a_survey_open_one_and_two_are_scores_even_while_another_crew_is_on_its_way(score):
    surveyed = factories.incident_through("recovered", incident=dispatched_incident())
    services.customer_message_queue(incident=surveyed, kind=MessageKind.SURVEY)
    customer = surveyed.rental.customer
    second = factories.incident_through(
        "dispatched",
        rental=factories.RentalFactory(customer=customer),
    )

    text_from(customer, str(score))

    assert SurveyResponse.objects.get(incident=surveyed).score == score
    assert Incident.objects.get(pk=second.pk).customer_answer == ""


@pytest.mark.parametrize(
    ("language", "options"),
    [
        ("it", "Risponda 1 se qualcuno la riceverà, 2 se ora funziona"),
        ("en", "Reply 1 if someone will receive it, 2 if it works again"),
    ],
)
def test_the_arrival_time_text_offers_the_numbered_answers(language, options):
    incident = dispatched_incident(language=language)

    eta = Message.objects.get(incident=incident, kind=MessageKind.ETA)

    assert eta.body.endswith(options)
    assert eta.segments <= 2
