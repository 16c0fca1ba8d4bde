"""Sends through Twilio's Messages API with the official client, and sorts its failures.

Which failure is which matters more than the send itself: retrying a permanent error spams
Twilio, dropping a transient one loses the SMS, and resending after a read timeout may text the
customer twice."""

from datetime import datetime

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .base import (
    BaseSmsBackend,
    FoundMessage,
    PermanentSmsError,
    SentMessage,
    TransientSmsError,
    UnknownOutcomeSmsError,
)

TOO_MANY_REQUESTS = 20429


def _never_reached_twilio(exc: requests.ConnectionError) -> bool:
    """True when the connection itself failed (refused, DNS, TLS), so no request was sent.

    A ConnectionError can also mean the connection dropped after the request went out
    ("Connection aborted"); that one is an unknown outcome, not a safe retry."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _classify(exc: TwilioRestException) -> Exception:
    message = exc.msg or f"Twilio answered HTTP {exc.status}"
    code = exc.code if isinstance(exc.code, int) else None
    if exc.status == 429 or code == TOO_MANY_REQUESTS or exc.status >= 500:
        return TransientSmsError(message, code=code)
    return PermanentSmsError(message, code=code)


class TwilioBackend(BaseSmsBackend):
    def __init__(self):
        http_client = TwilioHttpClient(timeout=settings.TWILIO_HTTP_TIMEOUT_SECONDS)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        self.from_ = settings.TWILIO_FROM
        self.messaging_service_sid = settings.TWILIO_MESSAGING_SERVICE_SID

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
        params = {"to": to}
        if content_sid:
            params["content_sid"] = content_sid
            params["content_variables"] = content_variables or "{}"
        else:
            params["body"] = body
        # The Messaging Service's pool holds SMS numbers; a WhatsApp leaves from its own sender.
        if self.messaging_service_sid and not to.startswith("whatsapp:"):
            # With From as well, Twilio sends from that number of the service's pool: the one
            # whose rate budget the outbox charged.
            params["messaging_service_sid"] = self.messaging_service_sid
        if sender or self.from_:
            params["from_"] = sender or self.from_
        if status_callback:
            params["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except requests.ConnectionError as exc:
            if _never_reached_twilio(exc):
                raise TransientSmsError(f"Could not connect to Twilio: {exc}") from exc
            raise UnknownOutcomeSmsError(f"Connection lost after sending: {exc}") from exc
        except requests.Timeout as exc:
            # Only the read timeout is left here (ConnectTimeout is a ConnectionError).
            raise UnknownOutcomeSmsError(f"No answer from Twilio in time: {exc}") from exc
        except (TwilioException, ValueError, requests.RequestException) as exc:
            # The request went out and the answer was unreadable: Twilio may well hold the SMS.
            raise UnknownOutcomeSmsError(f"Unreadable answer from Twilio: {exc}") from exc
        return SentMessage(sid=message.sid, status=message.status)

    def find_sent(self, *, to: str, body: str, since: datetime) -> FoundMessage | None:
        try:
            recent = self.client.messages.list(to=to, limit=20)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            raise TransientSmsError(f"Could not list messages at Twilio: {exc}") from exc
        for message in recent:
            if message.body == body and message.date_created and message.date_created >= since:
                return FoundMessage(
                    sid=message.sid, status=message.status, body=message.body, created_at=message.date_created
                )
        return None
