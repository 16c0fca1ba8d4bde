"""The twilio backend, using the real twilio client against the fake Messages API on loopback."""

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.backends.base import PermanentSmsError, TransientSmsError, UnknownOutcomeSmsError
from notifications.backends.twilio import TwilioBackend
from tests.fakes.twilio_server import FROM_NUMBER

TO = "+393471234567"


def test_a_message_is_created_at_twilio_with_its_status_callback(fake_twilio):
    sent = TwilioBackend().send(to=TO, body="Ciao Giulia", status_callback="https://p.example/cb/1/")
    assert sent.sid.startswith("SM") and len(sent.sid) == 34
    assert sent.status == "queued"
    [message] = fake_twilio.messages
    assert (message.to, message.from_, message.body) == (TO, FROM_NUMBER, "Ciao Giulia")
    assert message.status_callback == "https://p.example/cb/1/"


@pytest.mark.parametrize(("code", "status"), [(21211, 400), (21610, 400), (21614, 400), (21606, 400)])
def test_twilio_refusals_are_permanent_errors_with_their_code(fake_twilio, code, status):
    fake_twilio.fail_next(status=status, code=code)
    with pytest.raises(PermanentSmsError) as caught:
        TwilioBackend().send(to=TO, body="Ciao")
    assert caught.value.code == code
    assert fake_twilio.messages == []


def test_an_invalid_number_is_refused_by_twilio_like_twilio_does(fake_twilio):
    with pytest.raises(PermanentSmsError) as caught:
        TwilioBackend().send(to="0347123", body="Ciao")
    assert caught.value.code == 21211


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (503, 20503), (500, 20500)])
def test_throttling_and_server_errors_are_transient(fake_twilio, status, code):
    fake_twilio.fail_next(status=status, code=code)
    with pytest.raises(TransientSmsError):
        TwilioBackend().send(to=TO, body="Ciao")


def test_wrong_credentials_are_a_permanent_error(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(PermanentSmsError) as caught:
        TwilioBackend().send(to=TO, body="Ciao")
    assert caught.value.code == 20003
    assert fake_twilio.messages == []


def test_a_refused_connection_is_transient_because_nothing_was_sent(fake_twilio, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(TransientSmsError):
        TwilioBackend().send(to=TO, body="Ciao")


def test_a_read_timeout_is_an_unknown_outcome_even_when_twilio_took_the_message(fake_twilio):
    hang = fake_twilio.hang_next(accept=True)
    with pytest.raises(UnknownOutcomeSmsError):
        TwilioBackend().send(to=TO, body="Ciao")
    hang.released.set()
    assert fake_twilio.bodies_to(TO) == ["Ciao"]


def test_a_message_whose_answer_was_lost_can_be_found_at_twilio(fake_twilio):
    since = timezone.now() - timedelta(seconds=1)
    hang = fake_twilio.hang_next(accept=True)
    with pytest.raises(UnknownOutcomeSmsError):
        TwilioBackend().send(to=TO, body="Arriviamo alle 14:30")
    hang.released.set()
    found = TwilioBackend().find_sent(to=TO, body="Arriviamo alle 14:30", since=since)
    assert found is not None
    assert found.sid == fake_twilio.messages[0].sid


def test_find_sent_ignores_other_bodies_and_older_messages(fake_twilio):
    TwilioBackend().send(to=TO, body="Ciao")
    later = timezone.now() + timedelta(seconds=5)
    assert TwilioBackend().find_sent(to=TO, body="Altro", since=timezone.now() - timedelta(minutes=1)) is None
    assert TwilioBackend().find_sent(to=TO, body="Ciao", since=later) is None


def test_the_fake_posts_callbacks_signed_like_twilio(fake_twilio):
    from twilio.request_validator import RequestValidator

    sent = TwilioBackend().send(to=TO, body="Ciao", status_callback="https://p.example/cb/")
    url, params, signature = fake_twilio.status_callback_request(sent.sid, "delivered")
    assert params["MessageStatus"] == "delivered"
    assert RequestValidator(fake_twilio.auth_token).validate(url, params, signature)


def test_a_connection_dropped_after_the_request_went_out_is_an_unknown_outcome(fake_twilio, settings):
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 10.0
    hang = fake_twilio.hang_next(accept=False)
    errors: list[Exception] = []

    def send() -> None:
        try:
            TwilioBackend().send(to=TO, body="x")
        except Exception as exc:
            errors.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    assert hang.started.wait(5), "The request never reached the fake Twilio"
    fake_twilio.reset()  # releases the hang: the fake closes the connection without answering
    sender.join(5)
    assert not sender.is_alive(), "The send still hangs 5 s after the connection was dropped"
    assert [type(error) for error in errors] == [UnknownOutcomeSmsError]
    assert fake_twilio.messages == []
