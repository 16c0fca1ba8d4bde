from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from telematics.models import FaultSeverity


class FaultInput(serializers.Serializer):
    spn = serializers.IntegerField(min_value=0, max_value=524287, help_text="J1939 Suspect Parameter Number.")
    fmi = serializers.IntegerField(min_value=0, max_value=31, help_text="J1939 Failure Mode Identifier.")
    severity = serializers.ChoiceField(choices=FaultSeverity.choices)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(default=True, help_text="false when the fault has cleared.")


class EventInput(serializers.Serializer):
    pin = serializers.CharField(max_length=17, required=False, help_text="The maker's PIN (ISO 10261).")
    fleet_number = serializers.CharField(max_length=20, required=False)
    occurred_at = serializers.DateTimeField(help_text="The machine's time, ISO 8601 with offset.")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    hour_meter = serializers.DecimalField(
        max_digits=9, decimal_places=1, min_value=0, required=False, allow_null=True, default=None
    )
    engine_running = serializers.BooleanField(required=False, allow_null=True, default=None)
    fault = FaultInput(required=False, allow_null=True, default=None)

    def validate_occurred_at(self, value):
        tolerance = timedelta(minutes=settings.TELEMATICS["CLOCK_TOLERANCE_MINUTES"])
        if value > timezone.now() + tolerance:
            raise serializers.ValidationError("This time is in the future: check the device's clock.")
        return value

    def validate(self, attrs):
        if bool(attrs.get("pin")) == bool(attrs.get("fleet_number")):
            raise serializers.ValidationError("Name the machine by either pin or fleet_number.")
        if (attrs["lat"] is None) != (attrs["lon"] is None):
            raise serializers.ValidationError("Send lat and lon together.")
        return attrs


class EventBatchInput(serializers.Serializer):
    events = EventInput(many=True, allow_empty=False)

    def validate_events(self, value):
        limit = settings.TELEMATICS["PUSH_BATCH_MAX"]
        if len(value) > limit:
            raise serializers.ValidationError(f"At most {limit} events per request.")
        return value


class EventBatchOutput(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Events queued for loading.")
    unknown_machines = serializers.ListField(
        child=serializers.CharField(),
        help_text="PINs or fleet numbers we do not have; their events were ignored.",
    )
