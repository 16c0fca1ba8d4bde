"""Italian, whole: category names in both languages, Italian separators in numbers and money."""

from decimal import Decimal

import pytest
from django.utils import translation

from console.money import format_amount, parse_amount
from console.templatetags.console_tags import number
from fleet.models import MachineCategory
from notifications.models import Message, MessageKind
from recovery import services
from recovery.models import Channel
from tests.notifications.helpers import dispatched_incident


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name"), [("it", "Miniescavatore 1,5-2 t"), ("en", "Mini excavator 1.5-2 t")]
)
def test_the_customers_sms_names_the_machine_in_their_language(language, name):
    MachineCategory.objects.update_or_create(
        code="mini-excavator-2t",
        defaults={"name": "Mini excavator 1.5–2 t", "name_it": "Miniescavatore 1,5–2 t"},
    )

    incident = dispatched_incident(language=language)

    eta = Message.objects.get(incident=incident, kind=MessageKind.ETA)
    assert name in eta.body
    other = "Mini excavator" if language == "it" else "Miniescavatore"
    assert other not in eta.body


@pytest.mark.django_db
def test_board_and_incident_page_show_the_category_in_the_desks_language(
    dispatcher_client, dispatcher, rental
):
    category = rental.machine.category
    category.name_it = "Miniescavatore 1,5–2 t"
    category.save()
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Fermo"
    )

    english = dispatcher_client.get("/").content.decode()
    dispatcher_client.post("/language/", {"language": "it"})
    italian = dispatcher_client.get("/").content.decode()
    incident_page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()

    assert "Mini excavator 1.5–2 t" in english and "Miniescavatore" not in english
    assert "Miniescavatore 1,5–2 t" in italian and "Mini excavator" not in italian
    assert "Miniescavatore 1,5–2 t" in incident_page


def test_a_category_without_an_italian_name_falls_back_to_english():
    category = MachineCategory(code="x", name="Light tower")

    assert category.local_name("it") == "Light tower"
    with translation.override("it"):
        assert str(category) == "Light tower"


@pytest.mark.parametrize(
    ("language", "typed", "amount"),
    [
        ("it", "1.250,50", "1250.50"),
        ("it", "1250,50", "1250.50"),
        ("it", "1250", "1250"),
        ("it", "€ 1.250", "1250"),
        ("it", "1250.50", None),  # an English amount on an Italian page: refused, not read as 125050
        ("it", "1.25", None),
        ("it", "12,345", None),
        ("en", "1,250.50", "1250.50"),
        ("en", "1250.50", "1250.50"),
        ("en", "1250,50", None),
        ("en", "abc", None),
    ],
)
def test_amounts_are_read_in_the_pages_language_or_refused(language, typed, amount):
    expected = None if amount is None else Decimal(amount)

    assert parse_amount(typed, language=language) == expected


def test_money_and_counts_have_the_languages_separators():
    with translation.override("it"):
        assert format_amount(Decimal("125050")) == "125.050,00 €"
        assert number(1500) == "1.500"
    with translation.override("en"):
        assert format_amount(Decimal("1250.5")) == "€1,250.50"
        assert number(1500) == "1,500"


@pytest.mark.django_db
def test_the_timeline_reads_in_italian_on_an_italian_page(dispatcher_client, dispatcher, rental):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Braccio fermo"
    )
    services.goodwill_grant(incident=incident, amount_eur=Decimal("1500"), reason="Gru ferma", by=dispatcher)

    english = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()
    dispatcher_client.post("/language/", {"language": "it"})
    italian = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()

    assert "€1,500.00 granted: Gru ferma" in english
    assert "1.500,00 € concessi: Gru ferma" in italian
    assert "€1,500.00" not in italian


@pytest.mark.django_db
def test_a_refused_step_is_explained_in_italian(dispatcher_client, dispatcher, rental):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Braccio fermo"
    )
    dispatcher_client.post("/language/", {"language": "it"})

    page = dispatcher_client.post(f"/incidents/{incident.pk}/arrive/", follow=True).content.decode()

    assert "Impossibile: arrivo su un intervento segnalato; ora si può fare: prenotazione, invio" in page
    assert "Cannot" not in page


@pytest.mark.django_db
def test_the_api_answers_in_the_language_asked_for(dispatcher_api, dispatcher, rental):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Braccio fermo"
    )

    italian = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/arrive/", headers={"Accept-Language": "it"}
    )
    english = dispatcher_api.post(f"/api/v1/incidents/{incident.pk}/arrive/")

    assert italian.status_code == english.status_code == 409
    assert italian.json()["detail"].startswith("Impossibile: arrivo su un intervento segnalato")
    assert english.json()["detail"].startswith("Cannot arrive an incident that is reported")
