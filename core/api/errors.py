"""One error shape for the whole API: {"detail": ..., "code": ..., "errors": {...}}.

Clients (the console, the technicians' app) show `detail` to a person and branch on `code`;
`errors` carries per-field messages for a form."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


class ErrorOutput(serializers.Serializer):
    """The error body, for the OpenAPI schema."""

    detail = serializers.CharField(help_text="A sentence to show the person.")
    code = serializers.CharField(help_text="What went wrong, for the client to branch on.")
    # Named like Serializer.errors, which this output-only serializer never uses.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="Messages per field, on validation errors."
    )


class Conflict(exceptions.APIException):
    """The request is valid but the world moved on (a machine taken, an illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body: dict[str, object] = {"detail": exc.message, "code": exc.code}
        if exc.field is not None:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer would be an HTML "Bad Request" page.
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, IntegrityError):
        # A constraint caught what validation could not (usually a race): say so, keep no data.
        exc = Conflict("This conflicts with data saved a moment ago; reload and try again.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {
            "detail": _first_message(errors),
            "code": "invalid",
            "errors": errors,
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code}
    return response
