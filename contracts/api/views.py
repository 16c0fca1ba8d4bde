"""The contract's lines: which unit stood on the site when, with its hour meters and rate."""

from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers

from contracts.models import RentalLine
from contracts.selectors import rental_lines
from core.api.permissions import IsDeskStaff
from fleet.models import Rental


class RentalLineOutput(serializers.ModelSerializer):
    fleet_number = serializers.CharField(source="machine.fleet_number")

    class Meta:
        model = RentalLine
        fields = [
            "id",
            "machine",
            "fleet_number",
            "on_hire_at",
            "off_hire_at",
            "hour_meter_out",
            "hour_meter_in",
            "rate_eur",
            "rate_period",
            "exchange_reason",
            "replaces",
            "external_line",
        ]


class RentalLinesView(generics.ListAPIView):
    """The rental's lines in on-hire order; the open one is the unit on site now."""

    permission_classes = [IsDeskStaff]
    serializer_class = RentalLineOutput
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RentalLine.objects.none()
        return rental_lines(rental=get_object_or_404(Rental, pk=self.kwargs["pk"]))
