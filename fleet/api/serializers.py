"""Fleet resources as the API shows them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from core.api.fields import StrictModelSerializer, StrictPrimaryKeyRelatedField
from core.geo import validate_coordinates
from fleet.models import Branch, Customer, Machine, MachineCategory, Rental, Technician


class CoordinatesMixin(serializers.Serializer):
    """Both or neither, in range — checked on the merged state so a PATCH of one half fails."""

    coordinate_fields = ("lat", "lon")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        lat_name, lon_name = self.coordinate_fields
        lat = attrs.get(lat_name, getattr(self.instance, lat_name, None))
        lon = attrs.get(lon_name, getattr(self.instance, lon_name, None))
        try:
            validate_coordinates(lat, lon)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({lat_name: exc.messages}) from exc
        return attrs


class RecoveryOwnedFieldsMixin(serializers.Serializer):
    """Refuses, naming the operation to use, a change to a field that a plain update must not
    make: silently ignoring it would let the client believe the machine is now available.
    Sending the current value back (a PUT of what a GET returned) is fine."""

    recovery_owned: dict[str, str] = {}

    def validate(self, attrs):
        sent = self.initial_data if isinstance(self.initial_data, dict) else {}
        refused = {
            name: [f"Read-only here: change it with {operation}."]
            for name, operation in self.recovery_owned.items()
            if name in sent
            and (self.instance is None or str(sent[name]) != str(self.instance.serializable_value(name)))
        }
        if refused:
            raise serializers.ValidationError(refused)
        return super().validate(attrs)


class BranchSerializer(StrictModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "name", "address", "lat", "lon", "phone", "average_road_speed_kmh"]


class SubstituteSerializer(serializers.Serializer):
    code = serializers.CharField(source="substitute.code")
    name = serializers.CharField(source="substitute.name")
    preference = serializers.IntegerField()


class MachineCategorySerializer(StrictModelSerializer):
    substitutes = SubstituteSerializer(source="substitute_rules", many=True, read_only=True)

    class Meta:
        model = MachineCategory
        fields = ["id", "code", "name", "substitutes"]


class MachineSerializer(CoordinatesMixin, StrictModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=MachineCategory.objects.all())
    home_branch = StrictPrimaryKeyRelatedField(queryset=Branch.objects.all())

    class Meta:
        model = Machine
        fields = [
            "id",
            "fleet_number",
            "serial_number",
            "pin",
            "category",
            "make",
            "model",
            "status",
            "home_branch",
            "lat",
            "lon",
            "position_updated_at",
            "hour_meter",
        ]
        read_only_fields = ["position_updated_at"]
        # Checked here so the answer names the field; the database constraint is the backstop.
        extra_kwargs = {"hour_meter": {"min_value": 0}}


class MachineUpdateSerializer(RecoveryOwnedFieldsMixin, MachineSerializer):
    """A machine's status belongs to recovery while it is reserved, broken or replaced."""

    recovery_owned = {"status": "POST /api/v1/machines/{id}/status/"}

    class Meta(MachineSerializer.Meta):
        read_only_fields = ["position_updated_at", "status"]


class CustomerSerializer(StrictModelSerializer):
    mobile = PhoneNumberField(
        help_text="Mobile number; Italian numbers may omit +39. Stored in E.164.",
        error_messages={"invalid": "Enter a valid mobile number, e.g. +39 347 123 4567."},
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "company",
            "contact_name",
            "form_of_address",
            "mobile",
            "language",
            "sms_consent",
            "channel_preference",
            "sms_opted_out_at",
            "erased_at",
        ]
        read_only_fields = ["sms_opted_out_at", "erased_at"]


class RentalSerializer(CoordinatesMixin, StrictModelSerializer):
    coordinate_fields = ("site_lat", "site_lon")

    class Meta:
        model = Rental
        fields = [
            "id",
            "customer",
            "machine",
            "branch",
            "site_address",
            "site_lat",
            "site_lon",
            "starts_at",
            "ends_at",
            "recovery_sla_hours",
            "status",
        ]
        extra_kwargs = {"recovery_sla_hours": {"min_value": 1}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": ["The rental must end after it starts."]})
        return attrs


class RentalUpdateSerializer(RecoveryOwnedFieldsMixin, RentalSerializer):
    """Which machine, how fast it must be recovered and whether the rental runs are recovery's to
    change while a breakdown is open; they change through their own operation, which checks."""

    recovery_owned = dict.fromkeys(
        ["machine", "recovery_sla_hours", "status"], "POST /api/v1/rentals/{id}/terms/"
    )

    class Meta(RentalSerializer.Meta):
        read_only_fields = ["machine", "recovery_sla_hours", "status"]


class TechnicianSerializer(StrictModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    skills = serializers.SlugRelatedField[MachineCategory](slug_field="code", many=True, read_only=True)

    class Meta:
        model = Technician
        fields = [
            "id",
            "name",
            "home_branch",
            "phone",
            "skills",
            "on_shift",
            "lat",
            "lon",
            "position_updated_at",
        ]
