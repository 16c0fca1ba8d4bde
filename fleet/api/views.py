"""Fleet endpoints: read for everyone signed in; writes where a dispatcher would make them."""

from django.db import transaction
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from core.api.permissions import IsDeskStaff, IsDeskStaffOrReadOnly
from core.audit import audit_record
from core.models import AuditAction, AuditChannel
from fleet import selectors
from fleet.api import filters
from fleet.api.serializers import (
    BranchSerializer,
    CustomerSerializer,
    MachineCategorySerializer,
    MachineSerializer,
    MachineUpdateSerializer,
    RentalSerializer,
    RentalUpdateSerializer,
    TechnicianSerializer,
)


class BranchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BranchSerializer
    queryset = selectors.branch_list()


class MachineCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MachineCategorySerializer
    queryset = selectors.category_list()
    lookup_field = "code"


class MachineViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = MachineSerializer
    queryset = selectors.machine_list()
    permission_classes = [IsDeskStaffOrReadOnly]
    filterset_class = filters.MachineFilter
    ordering_fields = ["fleet_number", "status"]

    def get_serializer_class(self):
        return MachineUpdateSerializer if self.action in ("update", "partial_update") else MachineSerializer


class CustomerViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = CustomerSerializer
    queryset = selectors.customer_list()
    # Customers' personal data is for the dispatch desk; technicians see theirs per job.
    permission_classes = [IsDeskStaff]
    filterset_class = filters.CustomerFilter
    ordering_fields = ["company", "contact_name"]

    # Personal data: every read and write is audited. A page of the list is one entry naming the
    # customers shown, so browsing does not write fifty rows a click.
    def _audit(self, action: str, **kwargs) -> None:
        audit_record(actor=self.request.user, action=action, channel=AuditChannel.API, **kwargs)

    def list(self, request, *args, **kwargs):
        customers = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(customers)
        shown = page if page is not None else list(customers)
        self._audit(AuditAction.VIEW, object_type="customer", customer_ids=[c.pk for c in shown])
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        self._audit(AuditAction.VIEW, object_type="customer", object_id=customer.pk, customer=customer)
        return Response(self.get_serializer(customer).data)

    @transaction.atomic
    def perform_create(self, serializer):
        customer = serializer.save()
        self._audit(
            AuditAction.CREATE,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
            fields=list(serializer.validated_data),
        )

    @transaction.atomic
    def perform_update(self, serializer):
        before = serializer.instance
        changed = [
            name for name, value in serializer.validated_data.items() if getattr(before, name) != value
        ]
        customer = serializer.save()
        self._audit(
            AuditAction.UPDATE,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
            fields=changed,
        )


class RentalViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = RentalSerializer
    queryset = selectors.rental_list()
    permission_classes = [IsDeskStaff]
    filterset_class = filters.RentalFilter
    ordering_fields = ["starts_at"]

    def get_serializer_class(self):
        return RentalUpdateSerializer if self.action in ("update", "partial_update") else RentalSerializer


class TechnicianViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsDeskStaff]
    serializer_class = TechnicianSerializer
    queryset = selectors.technician_list()
    filterset_fields = ["home_branch", "on_shift"]
