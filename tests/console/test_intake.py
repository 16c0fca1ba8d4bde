"""Intake in 30 seconds: one search box, symptom and severity, then the replacements at once."""

import re

import pytest

from recovery.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["Rossi", "Giulia", "PR0000100", "Sesto", "Via Roma"])
def test_one_search_box_finds_the_rental_by_anything_the_caller_says(dispatcher_client, rental, query):
    response = dispatcher_client.get("/intake/search/", {"q": query})
    text = response.content.decode()

    assert "Edilizia Rossi S.r.l." in re.sub(r"</?mark>", "", text)
    assert f"<mark>{query.split()[0]}</mark>" in text


def test_search_results_come_best_first_and_marked(dispatcher_client, rental, second_rental):
    text = dispatcher_client.get("/intake/search/", {"q": "bianchi scavi"}).content.decode()

    assert "<mark>Scavi</mark> <mark>Bianchi</mark>" in text
    assert "Edilizia Rossi" not in text


def test_search_by_the_last_digits_of_the_phone(dispatcher_client, rental):
    digits = str(rental.customer.mobile)[-6:]

    assert "Edilizia Rossi" in dispatcher_client.get("/intake/search/", {"q": digits}).content.decode()


def test_search_without_a_match_says_what_to_try(dispatcher_client, rental):
    page = dispatcher_client.get("/intake/search/", {"q": "Zanzibar"}).content.decode()

    assert "No active rental matches" in page


def test_logging_opens_the_incident_with_ranked_replacements_and_a_technician(
    dispatcher_client, rental, replacements, technician
):
    response = dispatcher_client.post(
        "/intake/",
        {"rental": rental.pk, "symptom": "Hydraulic hose burst", "severity": "machine_down"},
        follow=True,
    )

    incident = Incident.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/incidents/{incident.pk}/"
    assert "Breakdown logged" in page
    # Monza is nearer the site, but Luca is at the Milano yard: the Milano machine arrives first.
    assert page.index("PR0000003") < page.index("PR0000002")
    assert "crew to the yard" in page
    assert "substitute" in page and "Luca Ferri" in page
    assert "Dispatch</button>" in page


def test_missing_symptom_is_a_message_on_the_page(dispatcher_client, rental):
    response = dispatcher_client.post(
        "/intake/", {"rental": rental.pk, "symptom": "", "severity": "machine_down"}
    )

    assert response.status_code == 200
    assert "Describe the symptom" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_machine_with_an_open_incident_points_to_it_instead_of_logging_twice(dispatcher_client, rental):
    dispatcher_client.post(
        "/intake/", {"rental": rental.pk, "symptom": "Engine stalls", "severity": "degraded"}
    )

    page = dispatcher_client.get("/intake/", {"rental": rental.pk}).content.decode()
    second = dispatcher_client.post(
        "/intake/", {"rental": rental.pk, "symptom": "Engine stalls", "severity": "degraded"}, follow=True
    )

    assert "already has an open incident" in page
    assert "already has an open incident" in second.content.decode()
    assert Incident.objects.filter(status=IncidentStatus.REPORTED).count() == 1


@pytest.mark.parametrize(
    ("rental_id", "redirected", "message"),
    [
        ("abc", False, "Enter a whole number."),
        ("-1", True, "That rental no longer exists; search again."),
        ("99999999", True, "That rental no longer exists; search again."),
    ],
)
def test_a_mangled_rental_id_is_a_message_not_an_error_page(
    dispatcher_client, rental_id, redirected, message, db
):
    shown = dispatcher_client.get("/intake/", {"rental": rental_id})
    posted = dispatcher_client.post(
        "/intake/", {"rental": rental_id, "symptom": "Smoke", "severity": "degraded"}, follow=True
    )

    assert shown.status_code == 200 and "Pick a rental on the left first." in shown.content.decode()
    assert posted.status_code == 200
    assert posted.redirect_chain == ([("/intake/", 302)] if redirected else [])
    assert message in posted.content.decode()
    assert not Incident.objects.exists()
