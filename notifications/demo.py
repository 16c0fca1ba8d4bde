"""Playing the customer in the demo: a text from the customer's phone, signed as Twilio signs it and
posted to our own inbound webhook over HTTP, so it takes exactly the road a real reply takes
(signature check, STOP/HELP/score rules, the conversation, the board).

Only where no real customer can be reached: DEBUG on and an SMS backend that sends nothing."""

import urllib.error
import urllib.parse
import urllib.request
from uuid import uuid4

from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from recovery.models import Incident

# The backends that only print or keep texts: with them, nothing reaches a real phone.
PLAYGROUND_BACKENDS = (
    "notifications.backends.console.ConsoleBackend",
    "notifications.backends.locmem.LocmemBackend",
)
# The number the demo pretends to send from when no TWILIO_FROM is set.
DEMO_SENDER = "+390200000000"


def customer_phone_available() -> bool:
    return bool(settings.DEBUG and settings.SMS_BACKEND in PLAYGROUND_BACKENDS and settings.TWILIO_AUTH_TOKEN)


def customer_reply_simulate(*, incident: Incident, body: str) -> int:
    """Post `body` as an SMS from the incident's customer to our inbound webhook; the HTTP status."""
    url = settings.PUBLIC_BASE_URL + reverse("sms-inbound")
    params = {
        "From": str(incident.rental.customer.mobile),
        "To": settings.TWILIO_FROM or DEMO_SENDER,
        "Body": body,
        "MessageSid": f"SM{uuid4().hex}",
        "NumMedia": "0",
    }
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(  # noqa: S310  (our own PUBLIC_BASE_URL, http or https)
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
