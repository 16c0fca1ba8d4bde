import io

from notifications.backends import get_backend, locmem
from notifications.backends.console import ConsoleBackend
from notifications.backends.locmem import LocmemBackend


def test_get_backend_builds_the_backend_named_in_settings(settings):
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    assert isinstance(get_backend(), LocmemBackend)


def test_console_backend_prints_recipient_and_body_and_returns_a_sid():
    stream = io.StringIO()
    sent = ConsoleBackend(stream=stream).send(to="+393471234567", body="Ciao Giulia", status_callback=None)
    printed = stream.getvalue()
    assert "SMS to +393471234567" in printed
    assert "Ciao Giulia" in printed
    assert sent.sid in printed


def test_locmem_backend_keeps_each_message_in_the_outbox():
    sent = LocmemBackend().send(to="+393471234567", body="Ciao", status_callback="http://x/cb")
    assert [(m.to, m.body, m.sid) for m in locmem.outbox] == [("+393471234567", "Ciao", sent.sid)]


def test_locmem_outbox_starts_empty_in_every_test():
    assert locmem.outbox == []
