"""The incident page: one-click dispatch, the taken-machine race as a message, every step, goodwill."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fleet.models import Customer, MachineStatus
from notifications import services as sms_services
from notifications.models import Message, MessageKind
from recovery import services
from recovery.models import GoodwillStatus, IncidentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(rental, dispatcher):
    return factories.incident_through(rental=rental, by=dispatcher)


def page(client, incident) -> str:
    return client.get(f"/incidents/{incident.pk}/").content.decode()


def test_one_click_dispatch_reserves_the_machine_and_promises_an_eta(
    dispatcher_client, incident, replacements, technician
):
    machine = replacements["monza"]
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": machine.pk, "technician": technician.pk},
        follow=True,
    )

    incident.refresh_from_db()
    machine.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED
    assert machine.status == MachineStatus.RESERVED
    text = response.content.decode()
    assert "Dispatched: Luca Ferri, arriving about" in text
    assert "Crew left (en route)" in text


def test_machine_taken_a_moment_earlier_is_a_plain_message_with_the_next_best(
    dispatcher_client, dispatcher, incident, second_rental, replacements, technician
):
    rival = factories.incident_through(rental=second_rental, by=dispatcher, symptom="Bucket cylinder leak")
    services.replacement_reserve(incident=rival, machine=replacements["monza"], by=dispatcher)

    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": replacements["monza"].pk, "technician": technician.pk},
        follow=True,
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "PR0000002 was just reserved by another dispatcher" in text
    assert "the next best is PR0000003" in text
    assert 'data-fleet="PR0000002"' not in text and 'data-fleet="PR0000003"' in text
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED


def test_the_crew_goes_on_site_and_recovery_figures_appear(
    dispatcher_client, incident, replacements, technician
):
    dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": replacements["monza"].pk, "technician": technician.pk},
    )
    dispatcher_client.post(f"/incidents/{incident.pk}/depart/")
    dispatcher_client.post(f"/incidents/{incident.pk}/arrive/")
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/recover/", {"outcome": "swapped"}, follow=True
    )

    text = response.content.decode()
    assert "Running again" in text
    assert "Recovery figures" in text and "Time to recovery" in text
    assert "Close the incident" in text


def test_a_step_that_is_not_allowed_now_is_a_message_not_an_error_page(dispatcher_client, incident):
    response = dispatcher_client.post(f"/incidents/{incident.pk}/arrive/", follow=True)

    assert response.status_code == 200
    assert "Cannot arrive an incident that is reported" in response.content.decode()


def test_cancel_needs_a_reason(dispatcher_client, incident):
    without = dispatcher_client.post(f"/incidents/{incident.pk}/cancel/", {"reason": ""}, follow=True)
    incident.refresh_from_db()
    assert "Say why, for the timeline." in without.content.decode()
    assert incident.status == IncidentStatus.REPORTED

    dispatcher_client.post(f"/incidents/{incident.pk}/cancel/", {"reason": "Customer fixed it: fuel filter"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANCELLED


def test_reassign_releases_the_machine_and_shows_the_replacements_again(
    dispatcher_client, incident, replacements, technician
):
    dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": replacements["monza"].pk, "technician": technician.pk},
    )
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/reassign/", {"reason": "Truck broke down"}, follow=True
    )

    assert "Dispatch released: choose again." in response.content.decode()
    assert 'data-fleet="PR0000002"' in response.content.decode()


def test_eta_revision_is_kept_and_a_bad_time_is_a_message(
    dispatcher_client, incident, replacements, technician
):
    dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": replacements["monza"].pk, "technician": technician.pk},
    )
    later = timezone.localtime(timezone.now() + timedelta(hours=2))
    bad = dispatcher_client.post(
        f"/incidents/{incident.pk}/eta/",
        {"eta_0": later.strftime("%Y-%m-%d"), "eta_1": "soon", "reason": "Traffic"},
        follow=True,
    )
    assert "Give the time as hours and minutes, 24-hour: 14:30." in bad.content.decode()

    good = dispatcher_client.post(
        f"/incidents/{incident.pk}/eta/",
        {"eta_0": later.strftime("%Y-%m-%d"), "eta_1": later.strftime("%H.%M"), "reason": "A4 closed"},
        follow=True,
    )

    assert "ETA revised." in good.content.decode()
    assert "A4 closed" in good.content.decode()
    incident.refresh_from_db()
    assert timezone.localtime(incident.current_eta).strftime("%H:%M") == later.strftime("%H:%M")


def test_eta_form_is_a_date_and_a_24_hour_time_with_their_own_labels(
    dispatcher_client, incident, replacements, technician
):
    dispatcher_client.post(
        f"/incidents/{incident.pk}/dispatch/",
        {"machine": replacements["monza"].pk, "technician": technician.pk},
    )
    text = page(dispatcher_client, incident)

    assert 'type="date" name="eta_0"' in text and 'id="eta-eta_0"' in text
    assert 'name="eta_1"' in text and 'placeholder="14:30"' in text
    assert "datetime-local" not in text
    assert '<label for="eta-eta_1">Time (24-hour)</label>' in text
    assert text.count('id="eta-reason"') == 1 and text.count('id="goodwill-reason"') == 1
    assert 'id="id_reason"' not in text


def test_goodwill_within_the_limit_is_granted_at_once(dispatcher_client, incident):
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/goodwill/", {"amount_eur": "150", "reason": "Half a day lost"}, follow=True
    )

    assert "Credit granted." in response.content.decode()
    assert incident.goodwill_credits.get().status == GoodwillStatus.GRANTED


@pytest.mark.parametrize(
    ("language", "typed", "amount", "shown"),
    [
        ("it", "1250,50", "1250.50", "1.250,50 €"),
        ("it", "1.250,50", "1250.50", "1.250,50 €"),
        ("it", "300", "300", "300,00 €"),
        ("en", "1,250.50", "1250.50", "€1,250.50"),
        ("en", "1250.5", "1250.5", "€1,250.50"),
    ],
)
def test_goodwill_amount_is_read_the_way_the_desk_writes_it(
    dispatcher_client, incident, language, typed, amount, shown
):
    dispatcher_client.post("/language/", {"language": language})

    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/goodwill/", {"amount_eur": typed, "reason": "Mezza giornata"}, follow=True
    )

    credit = incident.goodwill_credits.get()
    assert credit.amount_eur == Decimal(amount)
    assert credit.status == GoodwillStatus.GRANTED
    assert shown in response.content.decode()


@pytest.mark.parametrize(
    ("language", "typed", "hint"), [("it", "1250.50", "1.250,50"), ("en", "1.250,50", "1,250.50")]
)
def test_an_amount_written_the_other_languages_way_is_refused_not_guessed(
    dispatcher_client, incident, language, typed, hint
):
    dispatcher_client.post("/language/", {"language": language})

    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/goodwill/", {"amount_eur": typed, "reason": "Mezza giornata"}, follow=True
    )

    assert not incident.goodwill_credits.exists()
    assert hint in response.content.decode()


def test_goodwill_above_the_limit_waits_for_a_manager_who_can_approve_it(
    dispatcher_client, manager_client, incident
):
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/goodwill/",
        {"amount_eur": "5000", "reason": "Crane idle two days"},
        follow=True,
    )
    credit = incident.goodwill_credits.get()
    assert credit.status == GoodwillStatus.AWAITING_APPROVAL
    assert "Above your limit: the credit waits for a manager" in response.content.decode()
    assert ">Approve</button>" not in response.content.decode()

    manager_page = page(manager_client, incident)
    assert ">Approve</button>" in manager_page
    manager_client.post(f"/goodwill/{credit.pk}/decide/", {"decision": "approve"})

    credit.refresh_from_db()
    assert credit.status == GoodwillStatus.APPROVED


def test_a_dispatcher_cannot_approve_a_credit_even_by_posting(dispatcher_client, incident, dispatcher):
    credit = services.goodwill_grant(incident=incident, amount_eur=5000, reason="Two days", by=dispatcher)

    response = dispatcher_client.post(f"/goodwill/{credit.pk}/decide/", {"decision": "approve"}, follow=True)

    assert "Only a manager can approve" in response.content.decode()


def customer_texts(incident, body, sid="SM0000000000000000000000000000001"):
    return sms_services.inbound_message_receive(
        from_number=str(incident.rental.customer.mobile), to_number="+390200000000", body=body, sid=sid
    )


def test_conversation_shows_our_texts_with_their_delivery_status_and_the_customers_replies(
    dispatcher_client, incident
):
    customer_texts(incident, "Quanto manca? Siamo fermi.")

    text = page(dispatcher_client, incident)
    conversation = text[text.index('id="conversation"') : text.index('id="goodwill"')]

    assert "siamo fermi" in conversation.lower()
    assert "apology on logging" in conversation  # the acknowledgement SMS sent when it was logged
    assert 'data-status="queued"' in conversation and 'data-status="received"' in conversation


def test_conversation_marks_what_came_and_went_on_whatsapp(dispatcher_client, incident):
    sms_services.inbound_message_receive(
        from_number=f"whatsapp:{incident.rental.customer.mobile}",
        to_number="whatsapp:+390200000000",
        body="Vi scrivo su WhatsApp",
        sid="SM0000000000000000000000000000003",
    )
    customer_texts(incident, "E questo per SMS")

    text = page(dispatcher_client, incident)
    conversation = text[text.index('id="conversation"') : text.index('id="goodwill"')]
    on_whatsapp, by_sms = conversation.index("Vi scrivo su WhatsApp"), conversation.index("E questo per SMS")
    assert conversation.count("· WhatsApp") == 1
    assert conversation.index("· WhatsApp") < on_whatsapp < by_sms


def test_board_counts_unread_replies_until_the_incident_is_opened(dispatcher_client, incident):
    customer_texts(incident, "Are you coming?")
    customer_texts(incident, "Hello?", sid="SM0000000000000000000000000000002")

    before = dispatcher_client.get("/board/rows/").content.decode()
    page(dispatcher_client, incident)
    after = dispatcher_client.get("/board/rows/").content.decode()

    assert (
        f'href="/incidents/{incident.pk}/#conversation" title="Unread replies from the customer">2</a>'
        in before
    )
    assert 'class="badge"' not in after


def test_dispatcher_replies_by_sms_from_the_incident_page(dispatcher_client, dispatcher, incident):
    response = dispatcher_client.post(
        f"/incidents/{incident.pk}/reply/", {"body": "Luca arriva alle 15:10, ci scusi."}, follow=True
    )

    sent = Message.objects.get(incident=incident, kind=MessageKind.FREE_TEXT)
    assert (sent.direction, sent.sent_by, sent.body) == (
        "outbound",
        dispatcher,
        "Luca arriva alle 15:10, ci scusi.",
    )
    assert "Message queued for the customer" in response.content.decode()
    assert "Luca arriva alle 15:10" in response.content.decode()


def test_a_customer_who_texted_stop_cannot_be_texted_and_the_page_says_phone_them(
    dispatcher_client, incident
):
    Customer.objects.filter(pk=incident.rental.customer_id).update(sms_opted_out_at=timezone.now())

    text = page(dispatcher_client, incident)
    refused = dispatcher_client.post(f"/incidents/{incident.pk}/reply/", {"body": "Ciao"}, follow=True)

    assert "does not receive SMS" in text and 'id="reply-body"' not in text
    assert "phone them instead" in refused.content.decode()
    assert not Message.objects.filter(kind=MessageKind.FREE_TEXT).exists()


def test_map_data_has_the_site_the_machines_and_the_technicians(
    dispatcher_client, incident, replacements, technician
):
    text = page(dispatcher_client, incident)

    assert 'id="map-data"' in text
    assert '"short": "PR0000002"' in text and "Luca Ferri" in text
    assert '"tile_url": ""' in text


def test_unknown_incident_is_a_404(dispatcher_client, db):
    factories.UserFactory(username="nobody")
    assert dispatcher_client.get("/incidents/999999/").status_code == 404


def test_opening_an_incident_is_audited_as_a_view_of_the_customers_data(
    dispatcher_client, incident, dispatcher
):
    from core.models import AuditEntry

    dispatcher_client.get(f"/incidents/{incident.pk}/")

    entry = AuditEntry.objects.get(object_type="incident", object_id=str(incident.pk))
    assert (entry.actor, entry.action, entry.channel) == (dispatcher, "view", "console")
    assert entry.customer_id == incident.rental.customer_id


def test_with_the_road_network_down_each_replacement_says_its_times_are_a_straight_line_guess(
    dispatcher_client, incident, replacements, technician, settings
):
    from routing.providers import OsrmProvider

    settings.ROUTING_PROVIDER = "routing.providers.OsrmProvider"
    settings.OSRM_URL = "http://127.0.0.1:9"  # the discard port: nothing answers there
    OsrmProvider._breakers.clear()

    text = page(dispatcher_client, incident)
    OsrmProvider._breakers.clear()

    assert text.count("straight line: road network unavailable") >= len(replacements)
    assert "PR0000002" in text and "Dispatch</button>" in text
