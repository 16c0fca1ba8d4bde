"""Input and output shapes of the dispatcher's recovery API."""

from datetime import timedelta
from decimal import Decimal

from rest_framework import serializers

from core.api.fields import AwareDateTimeField, StrictPrimaryKeyRelatedField
from fleet.models import Machine, Rental, RentalStatus, Technician
from recovery.models import (
    Channel,
    CustomerRecoveryRecord,
    FollowUp,
    GoodwillCredit,
    Incident,
    Outcome,
    Severity,
    TimelineEvent,
)
from recovery.services import MACHINE_STATUSES_SET_BY_HAND

MACHINE_HELP = "Fleet number of the replacement, e.g. PR0001234; or send `machine_id`."
MACHINE_ID_HELP = "The replacement's id, as suggestions give it (`machine_id`); instead of `machine`."
# An ETA revision is about the coming hours or days; 1900 or 2100 is a typo, not a plan.
ETA_WINDOW = (timedelta(hours=1), timedelta(days=7))


class MachineChoiceMixin(serializers.Serializer):
    """The replacement by fleet number (`machine`) or by id (`machine_id`, what suggestions hand out)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        by_id = attrs.pop("machine_id", None)
        if by_id is not None:
            if "machine" in attrs and attrs["machine"] != by_id:
                raise serializers.ValidationError(
                    {"machine_id": ["Send the fleet number or the id of one machine, not two machines."]}
                )
            attrs["machine"] = by_id
        return attrs


class IncidentCreateInput(serializers.Serializer):
    # Everything logging reads and the answer shows (customer, branch, category) in the one query.
    rental = StrictPrimaryKeyRelatedField(
        queryset=Rental.objects.select_related("customer", "branch", "machine__category")
    )
    symptom = serializers.CharField(max_length=2000)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MACHINE_DOWN)
    channel = serializers.ChoiceField(
        choices=[Channel.PHONE, Channel.CONSOLE, Channel.API, Channel.TELEMATICS], default=Channel.PHONE
    )


class ReserveInput(MachineChoiceMixin, serializers.Serializer):
    machine = serializers.SlugRelatedField(
        slug_field="fleet_number",
        queryset=Machine.objects.select_related("category"),
        required=False,
        help_text=MACHINE_HELP,
    )
    machine_id = StrictPrimaryKeyRelatedField(
        queryset=Machine.objects.select_related("category"), required=False, help_text=MACHINE_ID_HELP
    )
    take_next_if_taken = serializers.BooleanField(
        default=False, help_text="If someone took this machine a moment earlier, reserve the next best."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "machine" not in attrs:
            raise serializers.ValidationError(
                {"machine": ["Send the replacement's fleet number (machine) or its id (machine_id)."]}
            )
        return attrs


class DispatchInput(MachineChoiceMixin, serializers.Serializer):
    machine = serializers.SlugRelatedField(
        slug_field="fleet_number",
        queryset=Machine.objects.select_related("category", "home_branch"),
        required=False,
        help_text=MACHINE_HELP + " Omit when a replacement is already reserved, or for a repair visit.",
    )
    machine_id = StrictPrimaryKeyRelatedField(
        queryset=Machine.objects.select_related("category", "home_branch"),
        required=False,
        help_text=MACHINE_ID_HELP,
    )
    technician = StrictPrimaryKeyRelatedField(
        queryset=Technician.objects.select_related("user", "home_branch"),
        required=False,
        help_text="Omit to send the suggested technician.",
    )
    take_next_if_taken = serializers.BooleanField(default=False)
    repair_only = serializers.BooleanField(default=False, help_text="Send a technician to repair on site.")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class RecoverInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class EtaInput(serializers.Serializer):
    eta = AwareDateTimeField(
        window=ETA_WINDOW, help_text="The new arrival time, with its UTC offset; within the next 7 days."
    )
    reason = serializers.CharField(max_length=255)


class GoodwillInput(serializers.Serializer):
    amount_eur = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=255)


class SuggestionsQuery(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=20, required=False, help_text="How many replacements (1-20)."
    )


class MachineStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(value, value) for value in MACHINE_STATUSES_SET_BY_HAND],
        help_text="Reserved and on rent come only from a reservation and a rental.",
    )


class RentalTermsInput(serializers.Serializer):
    machine = StrictPrimaryKeyRelatedField(
        queryset=Machine.objects.all(),
        required=False,
        help_text="Exchange: the id of the machine going out; it must be available.",
    )
    recovery_sla_hours = serializers.IntegerField(min_value=1, max_value=720, required=False)
    status = serializers.ChoiceField(choices=RentalStatus.choices, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send at least one of machine, recovery_sla_hours, status."]}
            )
        return attrs


class GoodwillDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()


class FollowUpInput(serializers.Serializer):
    assigned_to = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    close = serializers.BooleanField(default=False)


class _MachineBrief(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")

    class Meta:
        model = Machine
        fields = ["id", "fleet_number", "make", "model", "category", "status"]


class IncidentOutput(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    site_address = serializers.CharField(source="rental.site_address")
    broken_machine = _MachineBrief()
    replacement_machine = _MachineBrief(allow_null=True)
    technician = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "status",
            "status_display",
            "allowed_actions",
            "customer",
            "rental",
            "site_address",
            "site_lat",
            "site_lon",
            "broken_machine",
            "replacement_machine",
            "technician",
            "symptom",
            "severity",
            "reported_via",
            "reported_at",
            "sla_due_at",
            "reserved_at",
            "dispatched_at",
            "en_route_at",
            "on_site_at",
            "recovered_at",
            "closed_at",
            "cancelled_at",
            "fault_at",
            "fault_text",
            "confirmed_at",
            "dismissed_at",
            "outcome",
            "first_promised_eta",
            "current_eta",
            "expected_eta",
            "plan",
            "time_to_dispatch",
            "time_to_arrival",
            "time_to_recovery",
            "eta_error",
            "promise_kept",
            "sla_met",
            "sla_at_risk_since",
            "call_customer_reason",
        ]

    def get_customer(self, incident) -> dict:
        customer = incident.rental.customer
        return {"id": customer.id, "company": customer.company, "contact_name": customer.contact_name}

    def get_technician(self, incident) -> dict | None:
        if incident.technician is None:
            return None
        return {"id": incident.technician.id, "name": str(incident.technician)}

    def get_allowed_actions(self, incident) -> list[str]:
        from recovery.services import allowed_actions

        return allowed_actions(incident=incident)


class PlanLegOutput(serializers.Serializer):
    name = serializers.CharField(help_text="crew to the yard, preparation and loading, yard to the site…")
    minutes = serializers.FloatField()
    distance_km = serializers.FloatField(allow_null=True)


class PlanCrewOutput(serializers.Serializer):
    technician_id = serializers.IntegerField()
    name = serializers.CharField()
    branch_name = serializers.CharField()
    busy = serializers.BooleanField()
    starts_from = serializers.SerializerMethodField(
        help_text="`last position` (a ping this shift) or `branch`."
    )

    def get_starts_from(self, crew) -> str:
        return "branch" if crew.at_branch else "last position"


class DispatchPlanOutput(serializers.Serializer):
    crew = PlanCrewOutput(allow_null=True, help_text="The crew that gets this machine there first.")
    legs = PlanLegOutput(many=True)
    expected_arrival = serializers.DateTimeField(help_text="The most likely arrival.")
    promised_arrival = serializers.DateTimeField(help_text="What the customer is texted (the promise).")
    travel_source = serializers.CharField(
        source="source",
        help_text="road_network, straight_line, or straight_line_fallback (road network down).",
    )
    travel_note = serializers.CharField(source="source_note")
    learnt_from = serializers.CharField(
        source="correction.basis", help_text="The history the promise is fitted on."
    )


class SuggestionOutput(serializers.Serializer):
    machine_id = serializers.IntegerField()
    fleet_number = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    category_code = serializers.CharField()
    category_name = serializers.CharField()
    match = serializers.ChoiceField(choices=["exact", "substitute"])
    substitute_preference = serializers.IntegerField(allow_null=True)
    why = serializers.CharField()
    branch_name = serializers.CharField()
    distance_km = serializers.FloatField()
    eta_minutes = serializers.IntegerField(help_text="Minutes to the promised arrival.")
    eta_at = serializers.DateTimeField(help_text="The promised arrival.")
    plan = DispatchPlanOutput()


class TechnicianSuggestionOutput(serializers.Serializer):
    technician_id = serializers.IntegerField()
    name = serializers.CharField()
    branch_name = serializers.CharField()
    distance_km = serializers.FloatField()
    busy = serializers.BooleanField()


class SuggestionsOutput(serializers.Serializer):
    suggestions = SuggestionOutput(many=True)
    reason = serializers.CharField()
    technicians = TechnicianSuggestionOutput(many=True)


class TimelineEventOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "at",
            "recorded_at",
            "actor",
            "channel",
            "from_status",
            "to_status",
            "detail",
            "data",
        ]

    def get_actor(self, event) -> str | None:
        return (event.actor.get_full_name() or event.actor.get_username()) if event.actor else None


class GoodwillOutput(serializers.ModelSerializer):
    granted_by = serializers.CharField(source="granted_by.get_username")
    decided_by = serializers.CharField(source="decided_by.get_username", allow_null=True, default=None)

    class Meta:
        model = GoodwillCredit
        fields = [
            "id",
            "incident",
            "amount_eur",
            "reason",
            "status",
            "granted_by",
            "granted_at",
            "decided_by",
            "decided_at",
        ]


class RecoveryRecordOutput(serializers.ModelSerializer):
    class Meta:
        model = CustomerRecoveryRecord
        fields = [
            "customer",
            "recoveries",
            "median_time_to_recovery",
            "sla_met_pct",
            "promises_kept_pct",
            "updated_at",
        ]


class FollowUpOutput(serializers.ModelSerializer):
    customer = serializers.CharField(source="incident.rental.customer.company")
    score = serializers.IntegerField(source="incident.survey_response.score")

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "incident",
            "customer",
            "score",
            "status",
            "assigned_to",
            "note",
            "opened_at",
            "closed_at",
        ]
