"""What every SMS backend offers, and the three ways a send can go wrong.

The three error kinds decide what the outbox does next: a permanent error is never retried,
a transient one is retried later, and an unknown outcome is never blindly resent because the
Messages API has no idempotency key: a second request is a second SMS on the customer's phone."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


@dataclass(frozen=True)
class FoundMessage:
    """A message the provider already holds; used to settle a send whose outcome we lost."""

    sid: str
    status: str
    body: str
    created_at: datetime


class SmsError(Exception):
    def __init__(self, message: str = "", *, code: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message


class PermanentSmsError(SmsError):
    """The provider refused this message and would refuse it again (bad number, opted out)."""


class TransientSmsError(SmsError):
    """The request never got through or was throttled: sending it again is safe."""


class UnknownOutcomeSmsError(SmsError):
    """The request left but no answer came back: the SMS may or may not be on its way."""


class BaseSmsBackend:
    def send(
        self,
        *,
        to: str,
        body: str,
        status_callback: str | None = None,
        sender: str | None = None,
        content_sid: str | None = None,
        content_variables: str | None = None,
    ) -> SentMessage:
        """Send `body` to `to`, from `sender` (a number of the pool) or the configured number.

        `to` and `sender` are "whatsapp:+39…" for WhatsApp; with `content_sid` the message is that
        approved template filled with `content_variables` (JSON), and `body` is only our record."""
        raise NotImplementedError

    def find_sent(self, *, to: str, body: str, since: datetime) -> FoundMessage | None:
        """The message to `to` with this body created at or after `since`, if the provider has one.

        Backends that cannot look messages up answer None, which the outbox reads as "not sent"."""
        return None
