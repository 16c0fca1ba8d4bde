"""The error answers in the OpenAPI schema, in one place.

`error_responses(409)` gives an operation's `responses` entries for the statuses it can answer,
each with the one error body and an example. The schema class below adds the statuses every
operation of a kind can give (400 for invalid input, 401 and 403 behind a login, 404 for an id in
the path or a page past the end, 413 and 415 for a body, 422 for Idempotency-Key, 429 when
throttled), so a view names only its own, usually 409:

    @extend_schema(request=DispatchInput, responses={200: IncidentOutput, **error_responses(409)})
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny

from core.api.errors import ErrorOutput

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A fresh value per action (a UUID). A retry with the same key answers as the first "
    "attempt did, without doing it twice.",
)

# status: (what it means, an example body)
ERRORS: dict[int, tuple[str, dict]] = {
    400: (
        "Invalid input: `errors` names each field and what is wrong with it.",
        {
            "detail": "rental: Give the id as a whole number, e.g. 42 (got 1.9).",
            "code": "invalid",
            "errors": {"rental": ["Give the id as a whole number, e.g. 42 (got 1.9)."]},
        },
    ),
    401: (
        "Not signed in, or the token was revoked: sign in again.",
        {"detail": "Invalid token.", "code": "authentication_failed"},
    ),
    403: (
        "Signed in, but this role may not do this.",
        {"detail": "Only dispatchers, managers and admins may do this.", "code": "permission_denied"},
    ),
    404: ("Not there, or not yours to see.", {"detail": "Not found.", "code": "not_found"}),
    409: (
        "Valid, but it conflicts with the current state (a machine taken, a step out of order).",
        {
            "detail": "Another dispatcher reserved PR0001234 a moment ago.",
            "code": "machine_taken",
        },
    ),
    413: (
        "The body is larger than the server accepts.",
        {"detail": "The request body is too large.", "code": "too_large"},
    ),
    415: (
        "The body is not in a format this operation reads.",
        {"detail": 'Unsupported media type "text/plain" in request.', "code": "unsupported_media_type"},
    ),
    422: (
        "This Idempotency-Key was already used for a different request.",
        {
            "detail": "This Idempotency-Key was already used for a different request.",
            "code": "idempotency_key_reused",
        },
    ),
    429: (
        "Too many requests: wait and retry.",
        {"detail": "Request was throttled. Expected available in 42 seconds.", "code": "throttled"},
    ),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`responses` entries for these error statuses, each with the error body and an example."""
    return {
        status: OpenApiResponse(
            ErrorOutput,
            description=ERRORS[status][0],
            examples=[
                OpenApiExample(
                    f"{status} example",
                    value=ERRORS[status][1],
                    response_only=True,
                    status_codes=[str(status)],
                )
            ],
        )
        for status in statuses
    }


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error statuses every operation of its kind can answer."""

    def _handler_is_idempotent(self) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return bool(getattr(handler, "idempotent", False))

    def _error_statuses(self) -> set[int]:
        statuses: set[int] = set()
        has_body = self.method in ("POST", "PUT", "PATCH")
        if has_body:
            statuses.add(413)
            if self.get_request_serializer() is not None:
                statuses |= {400, 415}
        if self.method == "GET" and (self._is_list_view() or self.get_override_parameters()):
            statuses.add(400)  # a filter, page size or parameter out of range
        if any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            statuses |= {401, 403}
        if "{" in self.path or (self.method == "GET" and self._is_list_view() and self._get_paginator()):
            statuses.add(404)
        if self._handler_is_idempotent():
            statuses |= {400, 422}
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._handler_is_idempotent() and not any(
            getattr(p, "name", None) == IDEMPOTENCY_KEY.name for p in parameters
        ):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, response in error_responses(*sorted(self._error_statuses())).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    response, str(status), direction=direction
                )
        return responses
