"""Reads for the desk's records beyond the live board: the history of finished incidents, a
customer's page, and the managers' queues (credits awaiting approval, detractor follow-ups)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from fleet.models import Customer
from fleet.search import search
from notifications.models import Message
from recovery import selectors
from recovery.models import (
    CustomerRecoveryRecord,
    FollowUp,
    FollowUpStatus,
    GoodwillCredit,
    GoodwillStatus,
    Incident,
    IncidentStatus,
    SurveyResponse,
)

# Finished, one way or another: no longer on the board, kept in the history.
FINISHED_STATUSES = (IncidentStatus.RECOVERED, IncidentStatus.CLOSED, IncidentStatus.CANCELLED)


@dataclass(frozen=True)
class HistoryFilter:
    query: str = ""
    status: str = ""
    branch_id: int | None = None
    category_id: int | None = None
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def incident_history(*, filters: HistoryFilter) -> QuerySet[Incident]:
    """Finished incidents, newest first, or best match first when searching."""
    incidents = selectors.incident_list().filter(status__in=FINISHED_STATUSES)
    if filters.status in FINISHED_STATUSES:
        incidents = incidents.filter(status=filters.status)
    if filters.branch_id:
        incidents = incidents.filter(rental__branch_id=filters.branch_id)
    if filters.category_id:
        incidents = incidents.filter(broken_machine__category_id=filters.category_id)
    if filters.since:
        incidents = incidents.filter(reported_at__gte=_start_of(filters.since))
    if filters.until:
        incidents = incidents.filter(reported_at__lt=_start_of(filters.until) + timedelta(days=1))
    if filters.query.strip():
        return search(incidents, query=filters.query, prefix="rental__").order_by(
            "-search_score", "-reported_at"
        )
    return incidents.order_by("-reported_at", "-pk")


@dataclass(frozen=True)
class CustomerPage:
    customer: Customer
    record: CustomerRecoveryRecord | None
    open_incidents: list[Incident]
    past_incidents: list[Incident]
    surveys: list[SurveyResponse]
    messages: list[Message]


CONVERSATION_LIMIT = 50
PAST_LIMIT = 100


def customer_page(*, customer: Customer) -> CustomerPage:
    """Everything the desk knows about how we treated this customer when machines broke down."""
    incidents = selectors.incident_list().filter(rental__customer=customer).order_by("-reported_at")
    record = CustomerRecoveryRecord.objects.filter(customer=customer).first()
    surveys = (
        SurveyResponse.objects.filter(incident__rental__customer=customer)
        .select_related("incident")
        .order_by("-answered_at")
    )
    # The most recent conversation first in the query, shown oldest first like a phone does.
    messages = list(
        Message.objects.filter(customer=customer)
        .select_related("incident", "sent_by")
        .order_by("-created_at")[:CONVERSATION_LIMIT]
    )
    return CustomerPage(
        customer=customer,
        record=record,
        open_incidents=list(incidents.exclude(status__in=FINISHED_STATUSES)),
        past_incidents=list(incidents.filter(status__in=FINISHED_STATUSES)[:PAST_LIMIT]),
        surveys=list(surveys),
        messages=messages[::-1],
    )


def goodwill_awaiting() -> QuerySet[GoodwillCredit]:
    """Credits above the limit that wait for a manager, oldest first."""
    return (
        GoodwillCredit.objects.filter(status=GoodwillStatus.AWAITING_APPROVAL)
        .select_related("incident__rental__customer", "granted_by")
        .order_by("granted_at", "pk")
    )


def manager_queue_count() -> int:
    """What waits for a manager: the number in the header."""
    # One query for both (UNION ALL): it runs on every page a manager opens.
    # No ORDER BY inside a compound statement (the models' default ordering): SQLite refuses it.
    credits = GoodwillCredit.objects.filter(status=GoodwillStatus.AWAITING_APPROVAL).order_by().values("pk")
    follow_ups = FollowUp.objects.exclude(status=FollowUpStatus.CLOSED).order_by().values("pk")
    return credits.union(follow_ups, all=True).count()
