"""Italian and English, chosen per user and kept across sessions and browsers."""

import re

import pytest

from console.models import DeskProfile
from tests.console.conftest import client_for

pytestmark = pytest.mark.django_db


def test_dispatcher_switches_to_italian_and_the_choice_follows_them(dispatcher_client, dispatcher):
    response = dispatcher_client.post("/language/", {"language": "it", "next": "/"}, follow=True)

    assert "Tabellone" in response.content.decode()
    assert "Nessun intervento aperto." in response.content.decode()
    assert DeskProfile.objects.get(user=dispatcher).language == "it"
    # Another browser, same person: still Italian, whatever the browser asks for.
    other = client_for(dispatcher).get("/", headers={"Accept-Language": "en"})
    assert '<html lang="it">' in other.content.decode()


def test_without_a_choice_the_browser_language_is_used(dispatcher_client):
    page = dispatcher_client.get("/", headers={"Accept-Language": "it"}).content.decode()

    assert "Registra un guasto" in page


def test_unknown_language_and_foreign_next_are_ignored(dispatcher_client, dispatcher):
    response = dispatcher_client.post("/language/", {"language": "xx", "next": "https://evil.example/"})

    assert response["Location"] == "/"
    assert not DeskProfile.objects.filter(user=dispatcher).exists()


def test_italian_numbers_do_not_break_the_trend_chart(
    manager_client, manager, rental, technician, dispatcher
):
    from datetime import timedelta

    from recovery import loyalty
    from tests.factories import incident_through

    incident_through(
        "recovered",
        rental=rental,
        technician=technician,
        by=dispatcher,
        reported_at=loyalty.this_week().since + timedelta(minutes=5),
        repair_only=True,
        symptom="Engine will not start",
        on_site_after=40,
        recovered_after=75,
    )
    manager_client.post("/language/", {"language": "it"})

    page = manager_client.get("/loyalty/").content.decode()

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Tempo di ripristino mediano (ore)" in page and "SLA rispettato (%)" in page
    assert 'x="' in svg and not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', svg)
