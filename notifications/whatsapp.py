"""WhatsApp through Twilio: its addresses, its 24-hour window and its approved templates.

WhatsApp lets a business write free text only within 24 hours of the customer's last message to
it; outside that window a message we start must be a template Meta approved (Twilio's Content API:
a ContentSid and its variables). Twilio answers a free text outside the window with error 63016."""

import json

from django.conf import settings

from .models import Channel

PREFIX = "whatsapp:"
WINDOW_HOURS = 24
# Outside the 24-hour window; and WhatsApp not reaching the number (not on WhatsApp, unreachable).
OUTSIDE_WINDOW = 63016
FALLBACK_CODES = frozenset({OUTSIDE_WINDOW, 63003, 63024})


def address(*, number: str, channel: str) -> str:
    """How Twilio spells a number on a channel: "whatsapp:+39…" on WhatsApp, plain for SMS."""
    return f"{PREFIX}{number}" if channel == Channel.WHATSAPP and number else number


def number_and_channel(value: str) -> tuple[str, str]:
    """A Twilio address ("whatsapp:+39…" or "+39…") as our plain number and its channel."""
    if value.startswith(PREFIX):
        return value.removeprefix(PREFIX), Channel.WHATSAPP
    return value, Channel.SMS


def sender() -> str:
    return settings.TWILIO_WHATSAPP_FROM or settings.TWILIO_FROM


def template_for(*, kind: str, language: str) -> str | None:
    """The ContentSid of the approved template for this kind of message in this language."""
    return settings.WHATSAPP_TEMPLATES.get(f"{kind}:{language}") or None


def template_variables(*, body: str) -> str:
    """The template's one variable is the text we rendered, so both channels say the same thing."""
    return json.dumps({"1": body}, ensure_ascii=False)
