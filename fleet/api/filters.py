import django_filters
from django.db.models import Q

from fleet.models import Customer, Machine, Rental


class MachineFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code")
    fleet_number = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Machine
        fields = ["status", "category", "home_branch", "fleet_number"]


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Company, contact name or mobile")

    class Meta:
        model = Customer
        fields = ["language"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(company__icontains=value) | Q(contact_name__icontains=value) | Q(mobile__contains=value)
        )


class RentalFilter(django_filters.FilterSet):
    class Meta:
        model = Rental
        fields = ["status", "customer", "machine", "branch"]
