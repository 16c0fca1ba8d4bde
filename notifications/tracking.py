"""Signed, expiring tracking links: the customer follows the crew without logging in.

The token carries only the incident id, signed with a timestamp; a tampered or expired token
resolves to nothing, and the page shows nothing beyond status, ETA, first name and a phone."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.tracking"


def tracking_token(*, incident_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(incident_id))


def tracking_url(*, incident_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("tracking-page", args=[tracking_token(incident_id=incident_id)])


def incident_id_from_token(token: str) -> int | None:
    max_age = settings.PRONTO["TRACKING_LINK_MAX_AGE_HOURS"] * 3600
    try:
        return int(signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age))
    except (signing.BadSignature, ValueError):
        return None
