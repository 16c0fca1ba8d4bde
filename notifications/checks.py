"""Startup check: the twilio backend without its credentials would fail on the first breakdown."""

import re

from django.conf import settings
from django.core.checks import Error, register

TWILIO_BACKEND = "notifications.backends.twilio.TwilioBackend"
REQUIRED_TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM")


@register()
def twilio_settings_present(app_configs, **kwargs):
    if settings.SMS_BACKEND != TWILIO_BACKEND:
        return []
    return [
        Error(
            f"SMS_BACKEND is the twilio backend but {name} is not set.",
            hint=f"Set {name} in the environment, or choose another SMS_BACKEND.",
            obj="notifications",
            id="notifications.E001",
        )
        for name in REQUIRED_TWILIO_SETTINGS
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
