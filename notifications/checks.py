"""Startup check: the twilio backend without its credentials would fail on the first breakdown."""

import re

from django.conf import settings
from django.core.checks import Error, Warning, register

TWILIO_BACKEND = "notifications.backends.twilio.TwilioBackend"
REQUIRED_TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM")


@register()
def twilio_settings_present(app_configs, **kwargs):
    if settings.SMS_BACKEND != TWILIO_BACKEND:
        return []
    if settings.TWILIO_MESSAGING_SERVICE_SID and not settings.TWILIO_SENDER_POOL:
        return [
            Error(
                "TWILIO_MESSAGING_SERVICE_SID is set but TWILIO_SENDER_POOL is empty.",
                hint="List the numbers of the Messaging Service's sender pool in TWILIO_SENDER_POOL.",
                obj="notifications",
                id="notifications.E002",
            )
        ]
    required: tuple[str, ...] = REQUIRED_TWILIO_SETTINGS
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        required = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    return [
        Error(
            f"SMS_BACKEND is the twilio backend but {name} is not set.",
            hint=f"Set {name} in the environment, or choose another SMS_BACKEND.",
            obj="notifications",
            id="notifications.E001",
        )
        for name in required
        if not getattr(settings, name, "")
    ]


HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@register()
def brand_colours_valid(app_configs, **kwargs):
    """The colours go into the tracking page's stylesheet: only #rrggbb is let through."""
    return [
        Error(
            f"{name} must be a colour written #rrggbb, not {getattr(settings, name)!r}.",
            obj="notifications",
            id="notifications.E002",
        )
        for name in ("BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR")
        if not HEX_COLOUR.fullmatch(getattr(settings, name))
    ]


CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
E003 = "notifications.E003"


@register()
def whatsapp_templates_valid(app_configs, **kwargs):
    """A mistyped template key would only show when a customer's text fell back to SMS."""
    from fleet.models import Language

    from .models import MessageKind

    templates = settings.WHATSAPP_TEMPLATES
    if not isinstance(templates, dict):
        return [Error("WHATSAPP_TEMPLATES must be a JSON object.", obj="notifications", id=E003)]
    keys = {f"{kind}:{language}" for kind in MessageKind.values for language in Language.values}
    return [
        Error(
            f"WHATSAPP_TEMPLATES has {key!r}: {sid!r}.",
            hint='Keys are "kind:language" (e.g. "eta:it"), values a Content API ContentSid (HX and 32 hex).',
            obj="notifications",
            id=E003,
        )
        for key, sid in templates.items()
        if key not in keys or not isinstance(sid, str) or not CONTENT_SID.fullmatch(sid)
    ]


@register()
def whatsapp_sender_present(app_configs, **kwargs):
    """Through a Messaging Service TWILIO_FROM may be empty: WhatsApp then has no sender."""
    if settings.SMS_BACKEND != TWILIO_BACKEND or settings.TWILIO_WHATSAPP_FROM or settings.TWILIO_FROM:
        return []
    return [
        Warning(
            "Neither TWILIO_WHATSAPP_FROM nor TWILIO_FROM is set: customers who chose WhatsApp get nothing.",
            hint="Set TWILIO_WHATSAPP_FROM to the WhatsApp sender number of the Twilio account.",
            obj="notifications",
            id="notifications.W001",
        )
    ]
