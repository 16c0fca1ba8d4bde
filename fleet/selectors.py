"""Reads of the fleet domain."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from fleet.models import (
    Branch,
    CategorySubstitute,
    Customer,
    Machine,
    MachineCategory,
    Rental,
    RentalStatus,
    Technician,
)
from fleet.search import search


def branch_list() -> QuerySet[Branch]:
    return Branch.objects.all()


def category_list() -> QuerySet[MachineCategory]:
    rules = CategorySubstitute.objects.select_related("substitute").order_by("preference")
    return MachineCategory.objects.prefetch_related(Prefetch("substitute_rules", queryset=rules))


def category_with_substitutes(*, category: MachineCategory) -> list[tuple[MachineCategory, int]]:
    """The category itself (preference 0), then its substitutes in the customer's order."""
    rules = CategorySubstitute.objects.filter(category=category).select_related("substitute")
    return [(category, 0), *((rule.substitute, rule.preference) for rule in rules.order_by("preference"))]


def machine_list() -> QuerySet[Machine]:
    return Machine.objects.select_related("category", "home_branch")


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.all()


def rental_list() -> QuerySet[Rental]:
    return Rental.objects.select_related("customer", "machine", "machine__category", "branch")


def rental_search(*, query: str, limit: int = 10) -> QuerySet[Rental]:
    """The dispatcher's one search box over active rentals, best match first (fleet/search.py)."""
    return search(rental_list().filter(status=RentalStatus.ACTIVE), query=query)[:limit]


def technician_list() -> QuerySet[Technician]:
    return Technician.objects.select_related("user", "home_branch").prefetch_related("skills")


# How telematics may name a machine: the maker's PIN, the serial number, or our own fleet number.
MACHINE_IDENTIFIERS = ("pin", "serial_number", "fleet_number")


def machine_ids_by(*, identifier: str, values: Iterable[str]) -> dict[str, int]:
    """Machine ids keyed by PIN, serial number or fleet number, in one query; a value that matches
    nothing is simply absent, so the caller can count it."""
    if identifier not in MACHINE_IDENTIFIERS:
        raise ValueError(f"Machines are not identified by {identifier!r}.")
    wanted = {value for value in values if value}
    if not wanted:
        return {}
    rows = Machine.objects.filter(**{f"{identifier}__in": wanted}).values_list(identifier, "pk")
    return dict(rows)
