"""Fleet endpoints: read for everyone signed in; writes where a dispatcher would make them."""

from rest_framework import mixins, viewsets

from core.api.permissions import IsDeskStaffOrReadOnly
from fleet import selectors
from fleet.api import filters
from fleet.api.serializers import (
    BranchSerializer,
    CustomerSerializer,
    MachineCategorySerializer,
    MachineSerializer,
    RentalSerializer,
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


class CustomerViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = CustomerSerializer
    queryset = selectors.customer_list()
    permission_classes = [IsDeskStaffOrReadOnly]
    filterset_class = filters.CustomerFilter
    ordering_fields = ["company", "contact_name"]


class RentalViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = RentalSerializer
    queryset = selectors.rental_list()
    permission_classes = [IsDeskStaffOrReadOnly]
    filterset_class = filters.RentalFilter
    ordering_fields = ["starts_at"]


class TechnicianViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TechnicianSerializer
    queryset = selectors.technician_list()
    filterset_fields = ["home_branch", "on_shift"]
