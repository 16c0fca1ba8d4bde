"""Signing the app in and out, and what happens to someone guessing passwords."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/token/"


def sign_in(client, password: str, username: str = "luca"):
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


def test_signing_in_returns_the_token_the_app_sends_on_every_call(luca):
    client = APIClient()

    response = sign_in(client, "pronto")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=luca.user).key}
    assert sign_in(client, "pronto").json() == response.json()  # a second phone gets the same token


def test_a_wrong_password_is_a_400_that_does_not_say_which_part_was_wrong(luca):
    for response in (sign_in(APIClient(), "wrong"), sign_in(APIClient(), "pronto", username="nobody")):
        assert response.status_code == 400
        assert response.json() == {"detail": "Wrong username or password.", "code": "invalid_credentials"}


def test_failed_logins_are_throttled(luca, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"},
    }
    client = APIClient()

    answers = [sign_in(client, f"guess-{n}").status_code for n in range(4)]
    blocked = sign_in(client, "pronto")

    assert answers == [400, 400, 400, 429]
    assert blocked.status_code == 429  # even the right password waits: the guesser must not learn it
    assert blocked.json()["code"] == "throttled"
    assert "Retry-After" in blocked.headers


def test_successful_logins_do_not_count_towards_the_limit(luca, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"},
    }
    client = APIClient()

    assert [sign_in(client, "pronto").status_code for _ in range(5)] == [200] * 5


def test_logging_out_revokes_the_token(luca, lucas_phone):
    assert lucas_phone.post("/api/v1/auth/logout/").status_code == 204

    response = lucas_phone.get("/api/v1/technician/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}
    assert not Token.objects.filter(user=luca.user).exists()
