"""Twilio webhook signatures: only Twilio, holding our auth token, may post to our webhooks.

The signed URL is the one Twilio called, PUBLIC_BASE_URL plus the path: behind the TLS proxy
Django sees http and an internal host, and validating that would reject every real request.
The check is never switched off, DEBUG or not."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from twilio.request_validator import RequestValidator, get_signature_algorithm


def twilio_request_is_signed(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature, algorithm)


def twilio_signature_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 403 before the view runs unless the request carries a valid X-Twilio-Signature."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not twilio_request_is_signed(request):
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, *args, **kwargs)

    return wrapper
