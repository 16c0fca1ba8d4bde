from django.http import HttpResponse
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from notifications.signatures import twilio_signature_required

TOKEN = "signing-token"
PUBLIC = "https://pronto.example.com"


@twilio_signature_required
def webhook(request):
    return HttpResponse("ok")


def signed_post(path: str, params: dict, *, token: str = TOKEN, url: str | None = None, **extra):
    signature = RequestValidator(token).compute_signature(url or PUBLIC + path, params)
    return RequestFactory().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature, **extra)


def test_a_request_signed_for_the_public_url_passes(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    response = webhook(signed_post("/webhooks/sms/?x=1", {"Body": "STOP", "From": "+39347"}))
    assert (response.status_code, response.content) == (200, b"ok")


def test_the_signature_is_checked_against_the_public_url_not_the_one_django_sees(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    request = signed_post("/webhooks/sms/", {"Body": "x"}, url="http://testserver/webhooks/sms/")
    assert webhook(request).status_code == 403


def test_missing_signature_is_403(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    assert webhook(RequestFactory().post("/webhooks/sms/", {"Body": "x"})).status_code == 403


def test_signature_made_with_another_token_is_403(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    assert webhook(signed_post("/webhooks/sms/", {"Body": "x"}, token="forged")).status_code == 403


def test_tampered_parameters_are_403(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    request = signed_post("/webhooks/sms/", {"Body": "x"})
    request.POST = request.POST.copy()
    request.POST["Body"] = "START"
    assert webhook(request).status_code == 403


def test_debug_mode_does_not_switch_the_check_off(settings):
    settings.DEBUG = True
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TOKEN, PUBLIC
    assert webhook(RequestFactory().post("/webhooks/sms/", {"Body": "x"})).status_code == 403


def test_without_an_auth_token_every_request_is_refused(settings):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "", PUBLIC
    assert webhook(signed_post("/webhooks/sms/", {"Body": "x"}, token="")).status_code == 403
