"""Reads for customer SMS: who a number belongs to, which survey is open, an incident's texts."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from fleet.models import Customer
from recovery import selectors as recovery_selectors
from recovery.models import Incident

from .models import Direction, Message, MessageKind, MessageStatus

# A late answer to the survey still counts; a "7" a month later is about something else.
SURVEY_ANSWER_WINDOW = timedelta(days=7)


def customers_for_number(*, number: str) -> QuerySet[Customer]:
    return Customer.objects.filter(mobile=number)


def customer_for_number(*, number: str) -> Customer | None:
    """The customer behind a number; when several share it, the one with the latest incident."""
    return customers_for_number(number=number).order_by("-rentals__incidents__reported_at", "-id").first()


def open_survey_incident(*, customer: Customer, now: datetime) -> Incident | None:
    """The incident whose survey this customer was sent recently and has not answered."""
    message = (
        Message.objects.filter(
            customer=customer,
            kind=MessageKind.SURVEY,
            direction=Direction.OUTBOUND,
            created_at__gte=now - SURVEY_ANSWER_WINDOW,
            incident__survey_response__isnull=True,
        )
        .exclude(status__in=(MessageStatus.NOT_SENT, MessageStatus.FAILED))
        .select_related("incident")
        .order_by("-created_at")
        .first()
    )
    return message.incident if message else None


def open_incident_for_customer(*, customer: Customer) -> Incident | None:
    return recovery_selectors.open_incident_for_customer(customer=customer)


def latest_incident_for_customer(*, customer: Customer) -> Incident | None:
    return recovery_selectors.latest_incident_for_customer(customer=customer)


def incident_messages(*, incident: Incident) -> QuerySet[Message]:
    return Message.objects.filter(incident=incident).order_by("created_at", "id")


def incident_for_tracking(*, incident_id: int) -> Incident | None:
    return recovery_selectors.incident_list().filter(pk=incident_id).first()


def messages_due(*, now: datetime) -> QuerySet[Message]:
    """Queued rows whose send time has passed: their task was lost (broker down, crash)."""
    return Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)


def messages_in_doubt(*, older_than: datetime) -> QuerySet[Message]:
    """Rows that left for Twilio and never came back: a worker died mid-send, or the answer was lost."""
    return Message.objects.filter(
        status__in=(MessageStatus.SENDING, MessageStatus.UNKNOWN),
        twilio_sid__isnull=True,
        sending_started_at__lte=older_than,
    )


def incidents_due_a_survey(*, recovered_before: datetime, recovered_after: datetime) -> QuerySet[Incident]:
    return Incident.objects.filter(
        recovered_at__lte=recovered_before, recovered_at__gt=recovered_after, survey_response__isnull=True
    ).exclude(sms_messages__kind=MessageKind.SURVEY)
