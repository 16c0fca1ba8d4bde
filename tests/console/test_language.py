"""Italian and English, chosen per user and kept across sessions and browsers."""

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
