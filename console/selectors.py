"""Reads composed for the console's pages, on top of the recovery selectors."""

from django.db.models import Count, Q, QuerySet

from recovery import selectors
from recovery.models import EventKind, Incident


def board_incidents() -> QuerySet[Incident]:
    """The live board: open incidents, most urgent first, with the customer's messages counted."""
    return selectors.open_incidents().annotate(
        customer_messages=Count("timeline", filter=Q(timeline__kind=EventKind.CUSTOMER_MESSAGE))
    )
