"""Log plumbing: a request id on every record of a request, and masking of customer data
(phone numbers, SMS bodies) before any handler writes a line."""

import logging
import re
import uuid
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A caller-supplied id is echoed into logs and headers: accept only a short, plain token.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID (nginx sets one) or makes one, and returns it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = supplied if _VALID_REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs 4xx/5xx ("django.request") after the middleware
        # chain returns. request_finished clears it once the response is closed.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def clear_request_id(**kwargs) -> None:
    request_id_var.set(None)


class RequestIdFilter(logging.Filter):
    """Stamps the current request id (None outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Separators people type inside a number: space, dash, dot, slash, parentheses.
_SEP = r"[ ./()-]?"
PHONE_PATTERN = re.compile(
    r"(?<![\w+.:-])(?:"
    # International: +39 333 1234567, 0039 333 1234567, +4420...
    rf"(?:\+|00)[1-9](?:{_SEP}\d){{6,14}}"
    # Italian mobile without prefix: 333 123 4567, 3331234567
    rf"|3\d{{2}}(?:{_SEP}\d){{6,7}}"
    # Italian landline: 02 1234 5678, 06-12345678, 0471 123456
    rf"|0\d{{1,3}}[ /-]?\d(?:[ -]?\d){{4,7}}"
    r")(?![\w.:/-]?\d)"
)


def mask_phone_numbers(text: str) -> str:
    """Keeps the last three digits: enough for a dispatcher to tell two numbers apart."""

    def _mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        return f"***{digits[-3:]}"

    return PHONE_PATTERN.sub(_mask, text)


REDACTED = "[redacted]"
# What a customer wrote or what we texted them stays out of logs entirely.
BODY_FIELDS = frozenset({"body", "sms_body"})
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _redact(name: str, value: object) -> object:
    if name in BODY_FIELDS:
        return REDACTED
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: _redact(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(name, item) for item in value]
    # Anything else (a PhoneNumber, a request) would be logged through str(): mask that.
    return mask_phone_numbers(str(value))


class RedactCustomerDataFilter(logging.Filter):
    """Masks phone numbers in the message, the extras and the traceback; redacts message bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must still reach the log, masked
            message = str(record.msg)
        record.msg = mask_phone_numbers(message)
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS:
                setattr(record, name, _redact(name, value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phone_numbers(record.exc_text)
            # Formatters (the JSON one included) re-render exc_info when present, unmasked.
            record.exc_info = None
        return True
