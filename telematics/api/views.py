"""The push endpoint for telematics providers: batches of machine events, token and signature."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses
from telematics import services
from telematics.api import serializers as s
from telematics.events import FaultReading
from telematics.signatures import SIGNATURE_HEADER, body_is_signed, push_provider_for_token


class BadToken(PermissionDenied):
    default_detail = "Unknown provider token: send Authorization: Bearer <your provider token>."
    default_code = "bad_token"


class BadSignature(PermissionDenied):
    default_detail = (
        f"The body's signature does not match: send {SIGNATURE_HEADER}: sha256=<HMAC of the body>."
    )
    default_code = "bad_signature"


def _report(item: dict) -> services.Report:
    fault = item["fault"]
    by = "pin" if item.get("pin") else "fleet_number"
    return services.Report(
        identifier=item[by],
        by=by,
        event={
            "occurred_at": item["occurred_at"],
            "lat": item["lat"],
            "lon": item["lon"],
            "hour_meter": item["hour_meter"],
            "engine_running": item["engine_running"],
            "fault": FaultReading(**fault) if fault else None,
        },
    )


class EventPushView(APIView):
    # Providers are not users: their token and the body's signature are checked here, before parsing.
    authentication_classes: list = []
    permission_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["telematics"],
        request=s.EventBatchInput,
        # A provider is not a user: the bad token and the bad signature are its 403s.
        responses={202: s.EventBatchOutput, **error_responses(403)},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the raw body with the provider's signing secret>",
            )
        ],
        auth=[],
        description=(
            "A batch of machine events from a telematics provider "
            "(`Authorization: Bearer <provider token>`). "
            "Repeated and out-of-order events are harmless. Events for machines we do not have are "
            "ignored, counted on the provider and listed in the answer."
        ),
    )
    def post(self, request):
        provider = push_provider_for_token(request.headers.get("Authorization", ""))
        if provider is None:
            raise BadToken()
        if not body_is_signed(
            provider=provider, body=request.body, signature=request.headers.get(SIGNATURE_HEADER, "")
        ):
            raise BadSignature()
        batch = s.EventBatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        result = services.reports_submit(
            provider=provider, reports=[_report(item) for item in batch.validated_data["events"]]
        )
        output = {"accepted": result.accepted, "unknown_machines": result.unknown}
        return Response(s.EventBatchOutput(output).data, status=status.HTTP_202_ACCEPTED)
