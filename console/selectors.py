"""Reads composed for the console's pages, on top of the recovery and notifications selectors."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from console.models import ConversationRead
from notifications import selectors as sms_selectors
from notifications.models import Direction, Message
from recovery import selectors
from recovery.models import OPEN_STATUSES, Incident

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


@dataclass(frozen=True, slots=True)
class BoardRow:
    """What one line of the board shows. Plain values rather than an incident with eight related
    models: those cost a model instance each, and a phone number parsed per customer, every poll."""

    pk: int
    status: str
    company: str
    site_address: str
    call_customer_reason: str
    # The customer's answer to the arrival-time text (recovery.models.CustomerAnswer), or "".
    customer_answer: str
    customer_answered_at: datetime | None
    # What the machine reported, for a suspected incident from telematics.
    fault_text: str
    fault_at: datetime | None
    fleet_number: str
    category_name: str
    technician_name: str | None
    replacement_fleet_number: str | None
    current_eta: datetime | None
    sla_due_at: datetime
    on_site_at: datetime | None
    unread_replies: int
    sms_reach: str  # notifications.selectors.SmsReach: "", "opted_out" or "failed"


# The board's columns from the related rows, read in the same query.
BOARD_RELATED = {
    "company": F("rental__customer__company"),
    "site_address": F("rental__site_address"),
    "fleet_number": F("broken_machine__fleet_number"),
    "category_name": F("broken_machine__category__name"),
    "category_name_it": F("broken_machine__category__name_it"),
    "replacement_fleet_number": F("replacement_machine__fleet_number"),
    "crew_first_name": F("technician__user__first_name"),
    "crew_last_name": F("technician__user__last_name"),
    "crew_username": F("technician__user__username"),
}


def _category_name(row: dict, *, italian: bool) -> str:
    # As MachineCategory.display_name says it: Italian on an Italian page when there is a name for it.
    english, italian_name = row.pop("category_name"), row.pop("category_name_it")
    return italian_name if italian and italian_name else english


def _crew_name(first: str | None, last: str | None, username: str | None) -> str | None:
    # As Technician.__str__ says it: the full name, else the username.
    return f"{first or ''} {last or ''}".strip() or username


def board_page(
    *, number: int | str | None, per_page: int, only: Q | None = None, total: int | None = None
) -> Page:
    """One page of the board, most urgent first: a desk sees a screenful, not 3,000 rows per poll.
    `only` narrows it to a dispatcher's filters (console/board.py); `total`, when the caller has
    just counted them (the board's counters), saves counting again."""
    only = only or Q()
    rows = (
        board_incidents()
        .filter(only)
        .values(
            "id",
            "status",
            "call_customer_reason",
            "customer_answer",
            "customer_answered_at",
            "fault_text",
            "fault_at",
            "current_eta",
            "sla_due_at",
            "on_site_at",
            "unread_replies",  # type: ignore[misc]  # annotated by board_incidents()
            "sms_reach",  # annotated by board_incidents(), like unread_replies
            **BOARD_RELATED,
        )
        .order_by("sla_due_at", "id")
    )
    paginator = Paginator(rows, per_page)
    # Counted on the incidents alone: the joins for the columns shown change nothing to the count.
    paginator.count = (
        total if total is not None else Incident.objects.filter(only, status__in=OPEN_STATUSES).count()
    )
    page = paginator.get_page(number)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Eight tables joined: left to choose the join order, PostgreSQL plans for 15 ms to run
            # for 1 (EXPLAIN ANALYZE, 3,000 open). The order written - the page of open incidents by
            # SLA from their index, then one row of each related table - is the best plan. LOCAL:
            # for this transaction only, which also keeps it safe behind pgbouncer.
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        found = list(page.object_list)
    italian = (get_language() or "").startswith("it")
    page.object_list = [
        BoardRow(
            pk=row.pop("id"),
            technician_name=_crew_name(
                row.pop("crew_first_name"), row.pop("crew_last_name"), row.pop("crew_username")
            ),
            category_name=_category_name(row, italian=italian),
            **row,
        )
        for row in found
    ]
    return page


def conversation(*, incident: Incident) -> QuerySet[Message]:
    """Every SMS to and from the customer on this incident, oldest first, with its delivery status."""
    return sms_selectors.incident_messages(incident=incident).select_related("sent_by")
