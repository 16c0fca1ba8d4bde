"""Input and output shapes of the technicians' app API.

Every write carries `at`, the device's own time of the event, because the phone may send it
minutes later; the server's time is kept beside it on the timeline (`recorded_at`)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from fleet.models import Technician
from recovery.models import Incident, JobPhoto, Outcome, TimelineEvent
from recovery.selectors import JobScope
from recovery.services import STATUS_REPORTS, technician_next_steps

AT_HELP = "When it happened on the phone: ISO 8601 with the UTC offset, e.g. 2026-11-23T10:15:00+01:00."


class DeviceTimeField(AwareDateTimeField):
    """A time from the phone's clock: with its offset, not in the future, not days old."""

    default_error_messages = {
        "future": "This time is ahead of ours by more than {minutes} minutes; check the phone's clock.",
        "stale": "This time is more than {hours} hours ago; check the phone's clock.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", AT_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        at = super().to_internal_value(value)
        config = settings.PRONTO
        now = timezone.now()
        if at > now + timedelta(minutes=config["DEVICE_CLOCK_TOLERANCE_MINUTES"]):
            self.fail("future", minutes=config["DEVICE_CLOCK_TOLERANCE_MINUTES"])
        if at < now - timedelta(hours=config["DEVICE_TIME_MAX_AGE_HOURS"]):
            self.fail("stale", hours=config["DEVICE_TIME_MAX_AGE_HOURS"])
        return at


class JobListQuery(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=JobScope.ALL,
        default=JobScope.CURRENT,
        help_text="current: en route or on site; upcoming: dispatched, not yet started; "
        "recent: recovered or closed in the last `days` days.",
    )
    days = serializers.IntegerField(
        min_value=1, max_value=90, required=False, help_text="For `recent`; default TECHNICIAN_RECENT_DAYS."
    )


class AcceptInput(serializers.Serializer):
    at = DeviceTimeField()


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="Why, for the dispatcher.")
    at = DeviceTimeField()


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(STATUS_REPORTS))
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, help_text="Required with `recovered`."
    )
    at = DeviceTimeField()


class NoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    at = DeviceTimeField()


class PhotoInput(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG or WebP, checked by content; at most PHOTO_MAX_BYTES.")
    taken_at = DeviceTimeField(help_text="When the photo was taken, with the UTC offset.")


class PingInput(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    at = DeviceTimeField(help_text="When the phone took this position, with the UTC offset.")


class LocationInput(serializers.Serializer):
    pings: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=PingInput(),
        min_length=1,
        max_length=settings.PRONTO["LOCATION_BATCH_MAX"],
        help_text="One position, or the queue of positions collected while offline, in any order.",
    )


class ShiftInput(serializers.Serializer):
    on_shift = serializers.BooleanField()
    at = DeviceTimeField()


class TechnicianOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    home_branch = serializers.CharField(source="home_branch.name")

    class Meta:
        model = Technician
        fields = [
            "id",
            "name",
            "home_branch",
            "on_shift",
            "shift_changed_at",
            "lat",
            "lon",
            "position_updated_at",
        ]


class _MachineOutput(serializers.Serializer):
    fleet_number = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    category = serializers.CharField(source="category.name")


class _ReplacementOutput(_MachineOutput):
    pickup_branch = serializers.CharField(source="home_branch.name", help_text="The depot it leaves from.")
    pickup_lat = serializers.FloatField(source="lat", allow_null=True)
    pickup_lon = serializers.FloatField(source="lon", allow_null=True)


class _SiteOutput(serializers.Serializer):
    address = serializers.CharField(source="rental.site_address")
    lat = serializers.FloatField(source="site_lat")
    lon = serializers.FloatField(source="site_lon")


class _CustomerOutput(serializers.Serializer):
    """Only what the job needs: whom to ask for on site and how to reach them."""

    contact_first_name = serializers.CharField()
    phone = serializers.CharField(source="mobile")


class JobOutput(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    next_steps = serializers.SerializerMethodField()
    broken_machine = _MachineOutput()
    replacement_machine = _ReplacementOutput(allow_null=True)
    site = _SiteOutput(source="*")
    customer = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "status",
            "status_display",
            "next_steps",
            "symptom",
            "severity",
            "site",
            "customer",
            "broken_machine",
            "replacement_machine",
            "sla_due_at",
            "current_eta",
            "dispatched_at",
            "accepted_at",
            "en_route_at",
            "on_site_at",
            "recovered_at",
            "outcome",
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=["accept", "decline", *STATUS_REPORTS]))
    )
    def get_next_steps(self, incident: Incident) -> list[str]:
        return [str(step) for step in technician_next_steps(incident=incident)]

    @extend_schema_field(_CustomerOutput(allow_null=True))
    def get_customer(self, incident: Incident) -> dict | None:
        # The customer's contact is for the job in hand; a finished job keeps no phone number.
        if not incident.is_open:
            return None
        return _CustomerOutput(incident.rental.customer).data


class DeclineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    detail = serializers.CharField()


class NoteOutput(serializers.ModelSerializer):
    text = serializers.CharField(source="detail")

    class Meta:
        model = TimelineEvent
        fields = ["id", "text", "at", "recorded_at"]


class PhotoOutput(serializers.ModelSerializer):
    url = serializers.FileField(source="file", use_url=True)

    class Meta:
        model = JobPhoto
        fields = ["id", "url", "content_type", "size", "taken_at", "uploaded_at"]


class _PositionOutput(serializers.Serializer):
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    at = serializers.DateTimeField(source="position_updated_at", allow_null=True)


class LocationOutput(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="How many positions this request carried.")
    position_updated = serializers.BooleanField(help_text="False when we already had a newer position.")
    position = _PositionOutput(help_text="Where we now think you are.")
    eta_revised = serializers.ListField(
        child=serializers.IntegerField(), help_text="Jobs whose ETA these positions changed."
    )
