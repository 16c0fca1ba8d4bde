"""Reads composed for the console's pages, on top of the recovery and notifications selectors."""

from datetime import UTC, datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from console.models import ConversationRead
from notifications import selectors as sms_selectors
from notifications.models import Direction, Message
from recovery import selectors
from recovery.models import Incident

NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def board_incidents() -> QuerySet[Incident]:
    """The live board: open incidents, most urgent first, with the customer's unread replies counted."""
    read_at = ConversationRead.objects.filter(incident=OuterRef(OuterRef("pk"))).values("read_at")[:1]
    unread = (
        Message.objects.filter(
            incident=OuterRef("pk"),
            direction=Direction.INBOUND,
            created_at__gt=Coalesce(Subquery(read_at), Value(NEVER)),
        )
        .order_by()
        .values("incident")
        .annotate(count=Count("id"))
        .values("count")
    )
    board = selectors.open_incidents().annotate(
        unread_replies=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    )
    # Whether texting still reaches the customer: "opted out / SMS failed: phone them".
    return sms_selectors.incidents_with_sms_reach(board)


def conversation(*, incident: Incident) -> QuerySet[Message]:
    """Every SMS to and from the customer on this incident, oldest first, with its delivery status."""
    return sms_selectors.incident_messages(incident=incident).select_related("sent_by")
