"""Twilio's webhooks and the customer's tracking page: small views over the services."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from recovery.models import Incident

from . import selectors, services
from .customer_view import tracking_view
from .signatures import twilio_signature_required
from .tracking import incident_id_from_token

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt
@require_POST
@twilio_signature_required
def sms_inbound(request: HttpRequest) -> HttpResponse:
    services.inbound_message_receive(
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
        sid=request.POST.get("MessageSid", ""),
    )
    # Replies go out through the ledger (counted, rate-limited), not as TwiML.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
@twilio_signature_required
def sms_status_callback(request: HttpRequest, message_id: int) -> HttpResponse:
    error_code = request.POST.get("ErrorCode", "")
    # An unknown message still gets 200: Twilio would otherwise retry it for ever.
    services.message_status_update(
        message_id=message_id,
        sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=int(error_code) if error_code.isdigit() else None,
    )
    return HttpResponse(status=200)


def _tracked_incident(token: str) -> Incident | None:
    incident_id = incident_id_from_token(token)
    return selectors.incident_for_tracking(incident_id=incident_id) if incident_id else None


@require_GET
@never_cache
def tracking_page(request: HttpRequest, token: str) -> HttpResponse:
    incident = _tracked_incident(token)
    if incident is None:
        return render(request, "notifications/tracking_not_found.html", status=404)
    with translation.override(incident.rental.customer.language):
        view = tracking_view(incident=incident)
        return render(
            request,
            "notifications/tracking.html",
            {
                "view": view,
                "live": view.as_json(),
                "phone": settings.BRAND_PHONE or view.branch_phone,
                "brand_name": settings.BRAND_NAME,
                "brand_logo_url": settings.BRAND_LOGO_URL,
                "map_tile_url": settings.MAP_TILE_URL,
                "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "poll_seconds": settings.PRONTO["TRACKING_POLL_SECONDS"],
            },
        )


@require_GET
@never_cache
def tracking_live(request: HttpRequest, token: str) -> HttpResponse:
    """What the open page refreshes every TRACKING_POLL_SECONDS: status, times, the crew's position."""
    incident = _tracked_incident(token)
    if incident is None:
        return JsonResponse({"detail": "This link has expired.", "code": "not_found"}, status=404)
    with translation.override(incident.rental.customer.language):
        return JsonResponse(tracking_view(incident=incident).as_json())


@require_GET
def brand_stylesheet(request: HttpRequest) -> HttpResponse:
    """The brand's colours as CSS variables: a stylesheet from our own origin, which the CSP allows
    (inline styles it does not). The colours are checked at startup (notifications.E002)."""
    css = f":root{{--brand:{settings.BRAND_PRIMARY_COLOR};--accent:{settings.BRAND_ACCENT_COLOR}}}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response
