"""The dispatcher's recovery API: one small view per operation, each calling one service."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsDeskStaff, IsManager
from core.api.schema import error_responses
from core.audit import audit_record
from core.idempotency import idempotent
from core.models import AuditAction, AuditChannel
from fleet.api.serializers import MachineSerializer, RentalSerializer
from fleet.models import Branch, Customer, Machine, Rental
from recovery import selectors, services
from recovery.api import serializers as s
from recovery.models import (
    OPEN_STATUSES,
    Channel,
    CustomerRecoveryRecord,
    FollowUp,
    GoodwillCredit,
    Incident,
    TimelineEvent,
)


class IncidentFilter(filters.FilterSet):
    # A choice, not a BooleanFilter: that one reads "maybe" as "no filter" and answers everything.
    open = filters.TypedChoiceFilter(
        method="filter_open",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label="true: only open incidents; false: only finished ones",
    )
    customer = filters.ModelChoiceFilter(field_name="rental__customer", queryset=Customer.objects.all())
    branch = filters.ModelChoiceFilter(field_name="rental__branch", queryset=Branch.objects.all())

    class Meta:
        model = Incident
        fields = ["status", "customer", "branch"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )


def _incident_or_404(pk: int) -> Incident:
    return get_object_or_404(selectors.incident_list(), pk=pk)


def _incident_response(incident: Incident, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.incident_list().get(pk=incident.pk)
    return Response(s.IncidentOutput(fresh).data, status=code)


def _suggestions_payload(incident: Incident, limit: int | None = None) -> dict:
    found = selectors.incident_replacement_suggestions(incident=incident, limit=limit)
    near = (incident.site_lat, incident.site_lon)
    technicians = selectors.technician_suggestions(category=incident.broken_machine.category, near=near)
    return {"suggestions": found.suggestions, "reason": found.reason, "technicians": technicians}


def _audit_incident_view(request, incident: Incident, object_type: str = "incident") -> None:
    """The incident shows its customer's name: audited as a view of that customer's data."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        channel=AuditChannel.API,
        object_type=object_type,
        object_id=incident.pk,
        customer=incident.rental.customer,
    )


class IncidentListCreateView(generics.ListAPIView):
    """Incidents, most recent first; `?open=true` for the live board."""

    permission_classes = [IsDeskStaff]
    serializer_class = s.IncidentOutput
    queryset = selectors.incident_list()
    filterset_class = IncidentFilter
    ordering_fields = ["reported_at", "sla_due_at"]

    def paginate_queryset(self, queryset):
        # Each incident shows its customer's name: one audit entry per page, naming them all.
        page = super().paginate_queryset(queryset)
        shown = page if page is not None else queryset
        audit_record(
            actor=self.request.user,
            action=AuditAction.VIEW,
            channel=AuditChannel.API,
            object_type="incident",
            customer_ids=[incident.rental.customer_id for incident in shown],
        )
        return page

    @extend_schema(
        request=s.IncidentCreateInput,
        responses={201: s.IncidentOutput, **error_responses(409)},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        examples=[
            OpenApiExample(
                "Phone call from the site",
                value={
                    "rental": 42,
                    "symptom": "Hydraulic hose burst, boom won't lift",
                    "severity": "machine_down",
                },
                request_only=True,
            )
        ],
        description="Log a breakdown. Send an Idempotency-Key: a retry returns the first incident.",
    )
    @idempotent
    def post(self, request):
        data = s.IncidentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_log(
            rental=data.validated_data["rental"],
            reported_by=request.user,
            channel=data.validated_data["channel"],
            symptom=data.validated_data["symptom"],
            severity=data.validated_data["severity"],
        )
        # Answered from the incident just written, its rental, customer, branch and machine already
        # in hand: reading it back would cost a nine-table join for what is known.
        return Response(s.IncidentOutput(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(responses=s.IncidentOutput)
    def get(self, request, pk: int):
        incident = _incident_or_404(pk)
        _audit_incident_view(request, incident)
        return Response(s.IncidentOutput(incident).data)


class IncidentSuggestionsView(APIView):
    """The ranked replacements and technicians for an incident."""

    permission_classes = [IsDeskStaff]

    @extend_schema(parameters=[s.SuggestionsQuery], responses=s.SuggestionsOutput)
    def get(self, request, pk: int):
        incident = get_object_or_404(selectors.incident_for_replacement(), pk=pk)
        query = s.SuggestionsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data.get("limit")
        return Response(s.SuggestionsOutput(_suggestions_payload(incident, limit)).data)


class IncidentActionView(APIView):
    """Base for the steps of an incident: validate input, call one service, answer the incident."""

    permission_classes = [IsDeskStaff]
    input_serializer: type[s.serializers.Serializer] | None = None

    def perform(self, incident: Incident, data: dict, user) -> Incident:
        raise NotImplementedError

    @idempotent
    def post(self, request, pk: int):
        incident = _incident_or_404(pk)
        data = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        return _incident_response(self.perform(incident, data, request.user))


@extend_schema(request=s.ReserveInput, responses={200: s.IncidentOutput, **error_responses(409)})
class ReserveView(IncidentActionView):
    input_serializer = s.ReserveInput

    def perform(self, incident, data, user):
        return services.replacement_reserve(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(
    request=s.DispatchInput,
    responses={200: s.IncidentOutput, **error_responses(409)},
    examples=[
        OpenApiExample("Reserve and dispatch in one call", value={"machine": "PR0001234"}, request_only=True),
        OpenApiExample(
            "Next best if taken",
            value={"machine": "PR0001234", "take_next_if_taken": True},
            request_only=True,
        ),
    ],
    description="Reserve (if not yet) and dispatch: assigns the technician and promises an ETA. "
    "409 `machine_taken` when another dispatcher reserved the machine first.",
)
class DispatchView(IncidentActionView):
    input_serializer = s.DispatchInput

    def perform(self, incident, data, user):
        return services.dispatch_start(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(request=None, responses={200: s.IncidentOutput, **error_responses(409)})
class DepartView(IncidentActionView):
    def perform(self, incident, data, user):
        return services.dispatch_depart(incident=incident, by=user, channel=Channel.API)


@extend_schema(request=None, responses={200: s.IncidentOutput, **error_responses(409)})
class ArriveView(IncidentActionView):
    def perform(self, incident, data, user):
        return services.dispatch_arrive(incident=incident, by=user, channel=Channel.API)


@extend_schema(request=s.RecoverInput, responses={200: s.IncidentOutput, **error_responses(409)})
class RecoverView(IncidentActionView):
    input_serializer = s.RecoverInput

    def perform(self, incident, data, user):
        return services.incident_recover(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(request=None, responses={200: s.IncidentOutput, **error_responses(409)})
class CloseView(IncidentActionView):
    def perform(self, incident, data, user):
        return services.incident_close(incident=incident, by=user, channel=Channel.API)


@extend_schema(request=s.ReasonInput, responses={200: s.IncidentOutput, **error_responses(409)})
class CancelView(IncidentActionView):
    input_serializer = s.ReasonInput

    def perform(self, incident, data, user):
        return services.incident_cancel(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(
    request=None,
    responses={200: s.IncidentOutput, **error_responses(409)},
    description="A suspected incident (the machine's telematics reported a fault) is a breakdown: the "
    "normal flow starts and the customer is texted before they call.",
)
class ConfirmView(IncidentActionView):
    def perform(self, incident, data, user):
        return services.incident_confirm(incident=incident, by=user, channel=Channel.API)


@extend_schema(
    request=s.ReasonInput,
    responses={200: s.IncidentOutput, **error_responses(409)},
    description="A suspected incident was no breakdown; the reason goes on the timeline.",
)
class DismissView(IncidentActionView):
    input_serializer = s.ReasonInput

    def perform(self, incident, data, user):
        return services.incident_dismiss(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(request=s.ReasonInput, responses={200: s.IncidentOutput, **error_responses(409)})
class ReassignView(IncidentActionView):
    input_serializer = s.ReasonInput

    def perform(self, incident, data, user):
        return services.incident_reassign(incident=incident, by=user, channel=Channel.API, **data)


@extend_schema(
    request=s.EtaInput,
    responses={200: s.IncidentOutput, **error_responses(409)},
    examples=[
        OpenApiExample(
            "Traffic",
            value={"eta": "2026-11-23T15:40:00+01:00", "reason": "A4 closed at Agrate"},
            request_only=True,
        )
    ],
)
class EtaView(IncidentActionView):
    input_serializer = s.EtaInput

    def perform(self, incident, data, user):
        return services.eta_revise(incident=incident, by=user, channel=Channel.API, **data)


class TimelineView(generics.ListAPIView):
    permission_classes = [IsDeskStaff]
    serializer_class = s.TimelineEventOutput
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimelineEvent.objects.none()
        incident = _incident_or_404(self.kwargs["pk"])
        # The timeline quotes the customer's own SMS.
        _audit_incident_view(self.request, incident, object_type="incident_timeline")
        return selectors.incident_timeline(incident=incident)


class GoodwillView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(responses=s.GoodwillOutput(many=True))
    def get(self, request, pk: int):
        credits = _incident_or_404(pk).goodwill_credits.select_related("granted_by", "decided_by")
        return Response(s.GoodwillOutput(credits, many=True).data)

    @extend_schema(
        request=s.GoodwillInput,
        responses={201: s.GoodwillOutput, **error_responses(409)},
        examples=[
            OpenApiExample(
                "Two days' rent",
                value={"amount_eur": "360.00", "reason": "Lost half a day"},
                request_only=True,
            )
        ],
        description="Grant a credit: within the per-incident limit it is granted at once; "
        "above it the status is awaiting_approval until a manager decides.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = s.GoodwillInput(data=request.data)
        data.is_valid(raise_exception=True)
        credit = services.goodwill_grant(
            incident=_incident_or_404(pk), by=request.user, **data.validated_data
        )
        return Response(s.GoodwillOutput(credit).data, status=status.HTTP_201_CREATED)


class GoodwillDecisionView(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=s.GoodwillDecisionInput, responses={200: s.GoodwillOutput, **error_responses(409)})
    def post(self, request, pk: int):
        data = s.GoodwillDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        credit = get_object_or_404(GoodwillCredit, pk=pk)
        credit = services.goodwill_decide(
            credit=credit, approve=data.validated_data["approve"], by=request.user
        )
        return Response(s.GoodwillOutput(credit).data)


class RecoveryRecordView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(responses=s.RecoveryRecordOutput)
    def get(self, request, customer_id: int):
        record = get_object_or_404(CustomerRecoveryRecord, customer_id=customer_id)
        return Response(s.RecoveryRecordOutput(record).data)


class FollowUpListView(generics.ListAPIView):
    permission_classes = [IsManager]
    serializer_class = s.FollowUpOutput
    queryset = FollowUp.objects.select_related("incident__rental__customer", "incident__survey_response")
    filterset_fields = ["status"]


class FollowUpUpdateView(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=s.FollowUpInput, responses={200: s.FollowUpOutput, **error_responses(409)})
    def patch(self, request, pk: int):
        data = s.FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = get_object_or_404(FollowUp, pk=pk)
        assigned_to = None
        if "assigned_to" in data.validated_data:
            assigned_to = get_object_or_404(get_user_model(), pk=data.validated_data["assigned_to"])
        follow_up = services.follow_up_update(
            follow_up=follow_up,
            by=request.user,
            assigned_to=assigned_to,
            note=data.validated_data.get("note"),
            close=data.validated_data["close"],
        )
        return Response(s.FollowUpOutput(follow_up).data)


class MachineStatusView(APIView):
    """A machine's status by hand; while it is part of an open incident, the incident decides."""

    permission_classes = [IsDeskStaff]

    @extend_schema(
        tags=["machines"],
        request=s.MachineStatusInput,
        responses={200: MachineSerializer, **error_responses(409)},
        description="Set a machine's status by hand (back from the workshop, retired…). 409 "
        "`open_incident` while it is the broken machine or the replacement of an open incident, "
        "or while it is on an active rental.",
    )
    def post(self, request, pk: int):
        data = s.MachineStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        machine = services.machine_status_change(
            machine=get_object_or_404(Machine, pk=pk), status=data.validated_data["status"]
        )
        return Response(MachineSerializer(machine).data)


class RentalTermsView(APIView):
    """A rental's machine, recovery SLA and status; while a breakdown is open, the incident decides."""

    permission_classes = [IsDeskStaff]

    @extend_schema(
        tags=["rentals"],
        request=s.RentalTermsInput,
        responses={200: RentalSerializer, **error_responses(409)},
        description="Exchange the machine, change the recovery SLA, or end the rental. 409 "
        "`open_incident` while the rental has an open incident; 409 `machine_taken` when the "
        "machine to send out is not available.",
    )
    def post(self, request, pk: int):
        data = s.RentalTermsInput(data=request.data)
        data.is_valid(raise_exception=True)
        rental = services.rental_terms_change(rental=get_object_or_404(Rental, pk=pk), **data.validated_data)
        return Response(RentalSerializer(rental).data)
