"""Reads for customer SMS: who a number belongs to, which survey is open, an incident's texts."""

from datetime import datetime, timedelta

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When

from fleet.models import Customer
from recovery import selectors as recovery_selectors
from recovery.models import Incident

from .models import BULK_KINDS, Channel, Direction, Message, MessageKind, MessageStatus

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


def messages_in_flight_for_customer(*, customer: Customer) -> QuerySet[Message]:
    """Texts to the customer that a worker may be sending right now."""
    return Message.objects.filter(
        customer=customer, status__in=(MessageStatus.SENDING, MessageStatus.UNKNOWN)
    )


def message_counts_by_status() -> dict[tuple[str, str], int]:
    """(direction, status) -> how many rows in the ledger; one grouped query for /metrics."""
    rows = Message.objects.order_by().values_list("direction", "status").annotate(n=Count("id"))
    return {(direction, status): n for direction, status, n in rows}


def customer_message_bodies(*, customer: Customer) -> list[str]:
    """The texts still held in the ledger to or from the customer."""
    return list(
        Message.objects.filter(customer=customer, body_erased_at__isnull=True)
        .exclude(body="")
        .order_by()
        .values_list("body", flat=True)
        .distinct()
    )


def _not_yet_at_the_provider() -> Q:
    """Queued (perhaps waiting for a retry), or sent off without the provider's SID yet."""
    return Q(status=MessageStatus.QUEUED) | Q(
        status__in=(MessageStatus.SENDING, MessageStatus.UNKNOWN), twilio_sid__isnull=True
    )


def earlier_message_pending(*, message: Message) -> bool:
    """Whether a text queued before this one for the same incident has not reached the provider.

    Once the provider holds it, its queue for the sender number keeps the order from there."""
    if message.incident_id is None:
        return False
    earlier = Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, pk__lt=message.pk)
    return (
        Message.objects.filter(incident_id=message.incident_id, direction=Direction.OUTBOUND)
        .filter(earlier)
        .filter(_not_yet_at_the_provider())
        .exists()
    )


def next_queued_message(*, incident_id: int) -> Message | None:
    """The incident's oldest text still queued: the next to go."""
    return (
        Message.objects.filter(
            incident_id=incident_id, direction=Direction.OUTBOUND, status=MessageStatus.QUEUED
        )
        .order_by("created_at", "pk")
        .first()
    )


def transactional_messages_due(*, now: datetime) -> bool:
    """Whether any breakdown's text is waiting to leave (surveys let those go first)."""
    return (
        Message.objects.filter(
            direction=Direction.OUTBOUND, status=MessageStatus.QUEUED, next_attempt_at__lte=now
        )
        .exclude(kind__in=BULK_KINDS)
        .exists()
    )


def sender_last_used(*, to_number: str, senders: list[str]) -> str | None:
    """The pool number this customer was last texted from, if any."""
    return (
        Message.objects.filter(direction=Direction.OUTBOUND, to_number=to_number, from_number__in=senders)
        .order_by("-created_at", "-pk")
        .values_list("from_number", flat=True)
        .first()
    )


def incident_arrival_time_told(*, incident: Incident) -> bool:
    """Whether an arrival time (the ETA or a later one) left for the customer, or may have."""
    return Message.objects.filter(
        incident=incident,
        direction=Direction.OUTBOUND,
        kind__in=(MessageKind.ETA, MessageKind.DELAY),
        status__in=(
            MessageStatus.QUEUED,
            MessageStatus.SENDING,
            MessageStatus.UNKNOWN,
            MessageStatus.SENT,
            MessageStatus.DELIVERED,
        ),
    ).exists()


def whatsapp_window_open(*, customer: Customer, now: datetime, hours: int) -> bool:
    """Whether the customer wrote to us on WhatsApp in the last `hours`: we may send free text."""
    return Message.objects.filter(
        customer=customer,
        kind=MessageKind.REPLY,
        direction=Direction.INBOUND,
        channel=Channel.WHATSAPP,
        created_at__gt=now - timedelta(hours=hours),
    ).exists()


class SmsReach:
    """Whether texting still reaches the customer of an incident, for the desk's board and page."""

    REACHED = ""
    OPTED_OUT = "opted_out"  # they texted STOP or gave no consent
    FAILED = "failed"  # our latest text to them failed or was not delivered


def incidents_with_sms_reach(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """`incidents` annotated with `sms_reach` (an SmsReach value), in the same query."""
    latest_outcome = (
        Message.objects.filter(
            incident=OuterRef("pk"),
            direction=Direction.OUTBOUND,
            status__in=(
                MessageStatus.SENT,
                MessageStatus.DELIVERED,
                MessageStatus.FAILED,
                MessageStatus.UNDELIVERED,
            ),
        )
        .order_by("-created_at", "-pk")
        .values("status")[:1]
    )
    return incidents.annotate(latest_sms_outcome=Subquery(latest_outcome)).annotate(
        sms_reach=Case(
            When(
                Q(rental__customer__sms_opted_out_at__isnull=False) | Q(rental__customer__sms_consent=False),
                then=Value(SmsReach.OPTED_OUT),
            ),
            When(
                latest_sms_outcome__in=(MessageStatus.FAILED, MessageStatus.UNDELIVERED),
                then=Value(SmsReach.FAILED),
            ),
            default=Value(SmsReach.REACHED),
            output_field=CharField(),
        )
    )


def incident_sms_reach(*, incident: Incident) -> str:
    reach = getattr(incident, "sms_reach", None)
    if reach is None:
        annotated = incidents_with_sms_reach(Incident.objects.filter(pk=incident.pk)).first()
        reach = getattr(annotated, "sms_reach", None)
    return reach or SmsReach.REACHED
