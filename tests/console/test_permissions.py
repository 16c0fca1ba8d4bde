"""Who may open the console: desk roles only, loyalty for managers, a clear page for everyone else."""

import pytest
from django.urls import reverse

from tests import factories
from tests.console.conftest import client_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_is_styled_and_logs_a_dispatcher_in(client, dispatcher):
    page = client.get("/accounts/login/")
    assert "Log in to Pronto" in page.content.decode()
    assert "console/console.css" in page.content.decode()

    response = client.post("/accounts/login/", {"username": "chiara", "password": "pronto"}, follow=True)

    assert "Live board" in response.content.decode()


def test_wrong_password_is_a_message_not_an_error_page(client, dispatcher):
    response = client.post("/accounts/login/", {"username": "chiara", "password": "nope"})

    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()


def test_technician_gets_a_clear_403_page(db):
    technician = factories.UserFactory(role="technician", username="luca")
    response = client_for(technician).get("/")

    assert response.status_code == 403
    assert "This page is not for your account" in response.content.decode()
    assert "a field technician" in response.content.decode()
    assert "technician app on your phone" in response.content.decode()


def test_dispatcher_on_the_loyalty_page_is_told_it_is_a_managers_page(dispatcher_client):
    page = dispatcher_client.get(reverse("console:loyalty")).content.decode()

    assert "This page is for managers" in page
    assert "You are logged in as chiara, a dispatcher" in page
    assert "technician" not in page
    assert 'href="/"' in page


def test_user_without_a_role_is_told_to_ask_for_one(db):
    nobody = factories.UserFactory(username="ospite")

    page = client_for(nobody).get("/").content.decode()

    assert "who has no role on the dispatch desk" in page
    assert "technician app" not in page


@pytest.mark.parametrize("role", ["dispatcher", "manager", "admin"])
def test_every_desk_role_sees_the_board(db, role):
    user = factories.UserFactory(role=role, username=f"desk-{role}")

    response = client_for(user).get("/")

    assert response.status_code == 200
    assert "<h1>Live board</h1>" in response.content.decode()


def test_loyalty_figures_are_for_managers_only(dispatcher_client, manager_client):
    assert dispatcher_client.get(reverse("console:loyalty")).status_code == 403
    assert dispatcher_client.get(reverse("console:loyalty-csv")).status_code == 403
    assert manager_client.get(reverse("console:loyalty")).status_code == 200


def test_only_managers_see_the_loyalty_link(dispatcher_client, manager_client):
    assert 'href="/loyalty/"' not in dispatcher_client.get("/").content.decode()
    assert 'href="/loyalty/"' in manager_client.get("/").content.decode()


def test_a_stale_form_is_explained_not_djangos_csrf_page(dispatcher):
    client = client_for(dispatcher)
    client.handler.enforce_csrf_checks = True

    response = client.post("/intake/", {"rental": 1, "symptom": "x", "severity": "machine_down"})

    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_missing_incident_is_a_friendly_404_even_under_debug(dispatcher_client, settings, debug):
    settings.DEBUG = debug

    response = dispatcher_client.get(reverse("console:incident", args=[987654]))

    assert response.status_code == 404
    assert "There is no incident #987654" in response.content.decode()
    assert "Live board" in response.content.decode()


def test_posting_to_a_missing_incident_is_the_same_page(dispatcher_client, settings):
    settings.DEBUG = True

    response = dispatcher_client.post(reverse("console:incident-dispatch", args=[987654]), {"machine": 1})

    assert response.status_code == 404
    assert "There is no incident #987654" in response.content.decode()


def test_unknown_page_is_a_friendly_404(dispatcher_client, settings):
    settings.DEBUG = False

    response = dispatcher_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_the_refusal_page_offers_no_desk_menu(db):
    technician = factories.UserFactory(role="technician", username="luca")

    page = client_for(technician).get("/").content.decode()

    assert "Log a breakdown" not in page and "quick-find" not in page
    assert "Log out and switch account" in page


def test_a_board_poll_after_the_session_expired_sends_the_page_to_the_login(client):
    response = client.get("/board/rows/", headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/accounts/login/"
    assert b"Log in" not in response.content
