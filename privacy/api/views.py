"""The audit log for managers and admins: who viewed or changed which customer's data."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api.permissions import IsManager
from core.models import AuditAction, AuditChannel, AuditEntry
from privacy import selectors


class AuditEntryFilter(filters.FilterSet):
    customer = filters.NumberFilter(
        method="filter_customer",
        label="Customer id: entries about this customer, including the list views that showed them.",
    )
    action = filters.ChoiceFilter(choices=AuditAction.choices)
    channel = filters.ChoiceFilter(choices=AuditChannel.choices)
    actor = filters.NumberFilter(field_name="actor", label="User id of the person who did it.")

    class Meta:
        model = AuditEntry
        fields = ["customer", "action", "channel", "actor"]

    def filter_customer(self, queryset, name, value):
        return selectors.audit_entries_about_customer(entries=queryset, customer_id=int(value))


class AuditEntryOutput(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    customer_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every customer a list view showed."
    )
    fields = serializers.ListField(  # type: ignore[assignment]  # the audit entry's "fields" column
        child=serializers.CharField(), help_text="Names of the fields changed; never their values."
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "channel",
            "customer",
            "customer_ids",
            "object_type",
            "object_id",
            "fields",
            "request_id",
        ]


@extend_schema(
    summary="Audit log of customer personal data",
    description="Who viewed, created, changed, erased or exported a customer's data, newest first. "
    "Managers and admins only. `?customer=<id>` also finds list views that showed that customer.",
)
class AuditEntryListView(generics.ListAPIView):
    permission_classes = [IsManager]
    serializer_class = AuditEntryOutput
    queryset = selectors.audit_entry_list()
    filterset_class = AuditEntryFilter
    ordering_fields = ["at"]
