"""SMS backends chosen in settings: console for demos, locmem for tests."""

import io

import pytest

from notifications.backends import get_backend, locmem
from notifications.backends.console import ConsoleBackend
from notifications.backends.locmem import LocmemBackend


def test_get_backend_builds_the_backend_named_in_settings(settings):
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    assert isinstance(get_backend(), LocmemBackend)

    settings.SMS_BACKEND = "notifications.backends.console.ConsoleBackend"
    assert isinstance(get_backend(), ConsoleBackend)


def test_console_backend_prints_recipient_and_body_and_returns_a_sid():
    stream = io.StringIO()
    sent = ConsoleBackend(stream=stream).send(to="+393471234567", body="Ciao Giulia", status_callback=None)
    printed = stream.getvalue()
    assert "SMS to +393471234567" in printed
    assert "Ciao Giulia" in printed
    assert sent.sid in printed


def test_locmem_backend_keeps_each_message_in_the_outbox():
    first = LocmemBackend().send(to="+393471234567", body="Ciao", status_callback="http://x/cb")
    second = LocmemBackend().send(to="+393479876543", body="Arriviamo", status_callback=None)

    assert [(m.to, m.body, m.status_callback, m.sid) for m in locmem.outbox] == [
        ("+393471234567", "Ciao", "http://x/cb", first.sid),
        ("+393479876543", "Arriviamo", None, second.sid),
    ]
    assert first.sid != second.sid


# Two runs of one test, each sending its own text: whichever runs second finds only its own in the
# outbox, so a leak between tests fails here in either order (and each run passes on its own).
@pytest.mark.parametrize("name", ["Giulia", "James"])
def test_each_test_finds_only_its_own_texts_in_the_locmem_outbox(name):
    sent = LocmemBackend().send(to="+393471234567", body=f"Ciao {name}", status_callback=None)

    assert [(m.body, m.sid) for m in locmem.outbox] == [(f"Ciao {name}", sent.sid)]
