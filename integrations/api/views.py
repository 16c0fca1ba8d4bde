"""Imports from the rental system: customers, then rentals with their lines, upserted by its own
references, as JSON rows or a CSV file. All or nothing per request."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import JSONParser
from core.api.permissions import IsDeskStaff
from core.api.schema import error_responses
from integrations import imports


class ImportInput(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="JSON rows; or send `file`."
    )
    file = serializers.FileField(
        required=False, help_text="A UTF-8 CSV with a header line; instead of `rows`."
    )

    def validate(self, attrs: dict) -> dict:
        if ("rows" in attrs) == ("file" in attrs):
            raise serializers.ValidationError(
                {"rows": ["Send the rows as JSON or a CSV file, one of the two."]}
            )
        return attrs


class ImportReportOutput(serializers.Serializer):
    imported = serializers.BooleanField(help_text="False: nothing of the file was imported.")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each bad row: its number (1 = first data row), reference and errors.",
    )


REJECTED_EXAMPLE = OpenApiExample(
    "A bad row: nothing imported",
    status_codes=["400"],
    response_only=True,
    value={
        "detail": "Row 2 (C-1002): mobile: Not a valid mobile number. Nothing was imported.",
        "code": "import_rejected",
        "errors": {
            "report": {
                "imported": False,
                "rows": 2,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "rejected": [
                    {
                        "row": 2,
                        "reference": "C-1002",
                        "errors": {"mobile": ["Not a valid mobile number (e.g. +39 347 123 4567)."]},
                    }
                ],
            }
        },
    },
)


class ImportView(APIView):
    permission_classes = [IsDeskStaff]
    parser_classes = [JSONParser, MultiPartParser]
    importer = staticmethod(imports.customers_import)

    def post(self, request):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data.get("rows")
        if rows is None:
            rows = imports.rows_from_csv(data.validated_data["file"].read())
        report = self.importer(rows=rows)
        if not report.imported:
            first = report.rejected[0]
            return Response(
                {
                    "detail": (
                        f"Row {first['row']} ({first['reference']}): {_first_error(first['errors'])} "
                        "Nothing was imported."
                    ),
                    "code": "import_rejected",
                    "errors": {"report": report.as_dict()},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(report.as_dict())


def _first_error(errors: dict) -> str:
    name, messages = next(iter(errors.items()))
    message = messages[0] if isinstance(messages, list) else messages
    if isinstance(message, dict):
        return _first_error(message)
    return f"{name}: {message}"


@extend_schema(
    request=ImportInput,
    responses={200: ImportReportOutput, **error_responses(400, 403)},
    examples=[REJECTED_EXAMPLE],
    description="Customers by the rental system's reference (`external_reference`, company, contact_name, "
    "mobile, language, sms_consent). A second import of the same rows changes nothing.",
)
class CustomerImportView(ImportView):
    importer = staticmethod(imports.customers_import)


@extend_schema(
    request=ImportInput,
    responses={200: ImportReportOutput, **error_responses(400, 403)},
    examples=[REJECTED_EXAMPLE],
    description="Rentals with their lines, one row per line (rental_reference, customer_reference, branch, "
    "site_address, site_lat, site_lon, starts_at, ends_at, status, recovery_sla_hours, line_reference, "
    "fleet_number, on_hire_at, off_hire_at, hour_meter_out, hour_meter_in, rate_eur, rate_period). "
    "The open line's unit is the rental's machine; see docs/rental-system.md.",
)
class RentalImportView(ImportView):
    importer = staticmethod(imports.rentals_import)
