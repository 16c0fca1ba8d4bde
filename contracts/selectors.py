"""Reads of the contract: its lines and the downtime terms that apply to a rental."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from contracts.models import DowntimeTerms, RentalLine
from fleet.models import Rental


def rental_lines(*, rental: Rental) -> QuerySet[RentalLine]:
    return RentalLine.objects.filter(rental=rental).select_related("machine").order_by("on_hire_at", "id")


@dataclass(frozen=True)
class Terms:
    suspends_hire: bool
    reporting_window_hours: int
    misuse_voids: bool
    source: str  # "rental", "customer" or "default"


def downtime_terms_for(*, rental: Rental) -> Terms:
    """The rental's own terms, else its customer's, else the company's defaults."""
    for source, found in (
        ("rental", DowntimeTerms.objects.filter(rental=rental).first()),
        ("customer", DowntimeTerms.objects.filter(customer_id=rental.customer_id).first()),
    ):
        if found is not None:
            return Terms(
                suspends_hire=found.suspends_hire,
                reporting_window_hours=found.reporting_window_hours,
                misuse_voids=found.misuse_voids,
                source=source,
            )
    return Terms(
        suspends_hire=True,
        reporting_window_hours=settings.PRONTO["DOWNTIME_REPORTING_WINDOW_HOURS"],
        misuse_voids=settings.PRONTO["DOWNTIME_MISUSE_VOIDS"],
        source="default",
    )
