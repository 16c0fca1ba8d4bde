"""The workshop API: work orders (the unit is available again only when its order closes), a
machine's status history and the days out of service per unit."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsDeskStaff
from core.api.schema import error_responses
from fleet.models import Machine
from workshop import selectors, services
from workshop.api import serializers as s
from workshop.models import MachineStatusChange, WorkOrder


class WorkOrderListView(generics.ListAPIView):
    """Work orders, oldest open first; filter by `status`, `branch` (id) or `machine` (id)."""

    permission_classes = [IsDeskStaff]
    serializer_class = s.WorkOrderOutput
    filterset_fields = ["status", "branch", "machine", "billing_type", "severity"]
    ordering_fields = ["opened_at", "closed_at"]

    def get_queryset(self):
        return selectors.work_order_list().order_by("status", "opened_at", "id")


class WorkOrderDetailView(generics.RetrieveAPIView):
    permission_classes = [IsDeskStaff]
    serializer_class = s.WorkOrderOutput

    def get_queryset(self):
        return selectors.work_order_list()


class WorkOrderCloseView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        request=s.WorkOrderCloseInput,
        responses={200: s.WorkOrderOutput, **error_responses(400, 404, 409)},
        description="Close the work order: the machine becomes available for hire again. "
        "400: no resolution, an unknown billing type or a time before the order opened; "
        "404: no such work order; 409 `work_order_closed`: it was already closed.",
    )
    def post(self, request, pk: int):
        work_order = get_object_or_404(WorkOrder, pk=pk)
        data = s.WorkOrderCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        work_order = services.work_order_close(work_order=work_order, by=request.user, **data.validated_data)
        return Response(s.WorkOrderOutput(selectors.work_order_list().get(pk=work_order.pk)).data)


class MachineStatusHistoryView(generics.ListAPIView):
    permission_classes = [IsDeskStaff]
    serializer_class = s.StatusChangeOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MachineStatusChange.objects.none()
        machine = get_object_or_404(Machine, pk=self.kwargs["pk"])
        return MachineStatusChange.objects.filter(machine=machine).order_by("-at", "-id")


class OutOfServiceView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="The period: the last N days (default 30).")],
        responses={200: s.OutOfServiceOutput(many=True), **error_responses(400)},
    )
    def get(self, request):
        raw = request.query_params.get("days", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= 3660:
            return Response(
                {
                    "detail": "days is a whole number from 1 to 3660.",
                    "code": "invalid",
                    "errors": {"days": [raw]},
                },
                status=400,
            )
        until = timezone.now()
        figures = selectors.days_out_of_service(since=until - timedelta(days=int(raw)), until=until)
        return Response(s.OutOfServiceOutput(figures, many=True).data)
