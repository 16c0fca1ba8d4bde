"""Twilio's webhooks and the customer's tracking page: small views over the services."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .signatures import twilio_signature_required
from .tracking import incident_id_from_token

# What the customer reads for each incident status: their words, not the dispatch desk's.
CUSTOMER_STATUS = {
    "reported": _("We are organising help"),
    "replacement_reserved": _("Your replacement is being prepared"),
    "dispatched": _("On the way to you"),
    "en_route": _("On the way to you"),
    "on_site": _("On site"),
    "recovered": _("Up and running again"),
    "closed": _("Up and running again"),
    "cancelled": _("This request was cancelled"),
}
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


@never_cache
@require_GET
def tracking_page(request: HttpRequest, token: str) -> HttpResponse:
    incident_id = incident_id_from_token(token)
    incident = selectors.incident_for_tracking(incident_id=incident_id) if incident_id else None
    if incident is None:
        return render(request, "notifications/tracking_not_found.html", status=404)
    with translation.override(incident.rental.customer.language):
        return render(
            request,
            "notifications/tracking.html",
            {
                "status": CUSTOMER_STATUS.get(incident.status, incident.get_status_display()),
                "is_open": incident.is_open,
                "eta": incident.current_eta,
                "technician": incident.technician.first_name if incident.technician else "",
                "phone": incident.rental.branch.phone,
            },
        )
