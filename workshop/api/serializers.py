"""Input and output shapes of the workshop API."""

from datetime import timedelta

from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from workshop.models import BillingType, MachineStatusChange, WorkOrder


class WorkOrderOutput(serializers.ModelSerializer):
    number = serializers.SerializerMethodField()
    fleet_number = serializers.CharField(source="machine.fleet_number")
    machine_status = serializers.CharField(source="machine.status")
    branch = serializers.CharField(source="branch.name")
    customer = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "machine",
            "fleet_number",
            "machine_status",
            "branch",
            "rental",
            "customer",
            "incident_number",
            "status",
            "severity",
            "billing_type",
            "fault",
            "hour_meter",
            "opened_at",
            "closed_at",
            "resolution",
        ]

    def get_number(self, work_order: WorkOrder) -> str:
        return f"WO-{work_order.pk}"

    def get_customer(self, work_order: WorkOrder) -> str | None:
        return work_order.rental.customer.company if work_order.rental is not None else None


class WorkOrderCloseInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000, help_text="What was done to the machine.")
    billing_type = serializers.ChoiceField(
        choices=BillingType.choices, required=False, help_text="Settle the billing, e.g. warranty."
    )
    at = AwareDateTimeField(
        required=False, window=(timedelta(days=30), timedelta(minutes=5)), help_text="Default: now."
    )


class StatusChangeOutput(serializers.ModelSerializer):
    class Meta:
        model = MachineStatusChange
        fields = ["previous_status", "status", "at", "reason"]


class OutOfServiceOutput(serializers.Serializer):
    machine_id = serializers.IntegerField()
    fleet_number = serializers.CharField()
    days = serializers.FloatField(help_text="Days broken or in repair within the period.")
