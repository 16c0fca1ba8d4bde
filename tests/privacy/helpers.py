"""A customer's whole story through the real services, and a search of every database row."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from fleet.models import Customer, Rental
from notifications import services as sms
from notifications.models import Message, MessageStatus
from recovery import services as recovery
from recovery.models import CustomerRecoveryRecord, FollowUp, Incident, SurveyResponse
from tests import factories

MOBILE = "+393471234567"
CONTACT = "Giulia Marchetti"
COMPANY = "Scavi Marchetti S.n.c."
SITE_ADDRESS = "Via dei Glicini 7, Cologno Monzese"
SITE = (45.531234, 9.276543)
# What must be gone from every row once she is erased.
TRACES = ("Giulia", "Marchetti", "3471234567", "347 123 4567", "Glicini", "Cologno")


def deliver_queued_messages(settings) -> None:
    """Send every queued SMS through the locmem backend and confirm delivery, as Twilio would."""
    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    for message in Message.objects.filter(status=MessageStatus.QUEUED):
        sms.message_send(message_id=message.pk)
        message.refresh_from_db()
        sms.message_status_update(message_id=message.pk, sid=message.twilio_sid, status="delivered")


@dataclass
class Story:
    customer: Customer
    rental: Rental
    incident: Incident
    dispatcher: object


def recovered_customer_story(settings, *, score: int = 4) -> Story:
    """Giulia phones in a breakdown, texts the desk, gets her machine back, answers the survey
    as a detractor, and a manager writes down what she said."""
    dispatcher = factories.UserFactory(role="dispatcher", username="chiara", first_name="Chiara")
    manager = factories.UserFactory(role="manager", username="paola", first_name="Paola")
    customer = factories.CustomerFactory(company=COMPANY, contact_name=CONTACT, mobile=MOBILE)
    rental = factories.RentalFactory(
        customer=customer, site_address=SITE_ADDRESS, site_lat=SITE[0], site_lon=SITE[1]
    )
    start = timezone.now() - timedelta(hours=5)
    incident = factories.incident_through(
        "dispatched",
        rental=rental,
        by=dispatcher,
        reported_at=start,
        symptom="Giulia Marchetti called from 347 123 4567: the arm will not lift",
        dispatched_after=10,
    )
    deliver_queued_messages(settings)
    sms.inbound_message_receive(
        from_number=MOBILE,
        to_number="+390000000000",
        body="Sono Giulia, siamo in Via dei Glicini 7, richiamatemi al 3471234567",
        sid="SMinbound0001",
    )
    recovery.eta_revise(
        incident=incident,
        eta=start + timedelta(minutes=95),
        reason="Traffic; Giulia Marchetti informed by phone",
        by=dispatcher,
        at=start + timedelta(minutes=30),
    )
    recovery.dispatch_arrive(incident=incident, by=dispatcher, at=start + timedelta(minutes=100))
    recovery.incident_recover(
        incident=incident, outcome="swapped", by=dispatcher, at=start + timedelta(minutes=150)
    )
    recovery.goodwill_grant(
        incident=incident, amount_eur=Decimal("150.00"), reason="Half a day lost for Marchetti", by=dispatcher
    )
    deliver_queued_messages(settings)
    recovery.survey_response_record(incident=incident, score=score, at=start + timedelta(minutes=240))
    follow_up = FollowUp.objects.get(incident=incident)
    recovery.follow_up_update(follow_up=follow_up, by=manager, note="Giulia says nobody called her back")
    LogEntry.objects.create(
        user=dispatcher,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Mobile"]}}]',
    )
    incident.refresh_from_db()
    return Story(customer=customer, rental=rental, incident=incident, dispatcher=dispatcher)


def rows_mentioning(*needles: str) -> list[tuple[str, str]]:
    """(table, row as JSON) for every row of every table that contains one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" AS t')
            for (row,) in cursor.fetchall():
                if any(needle.lower() in row.lower() for needle in needles):
                    found.append((table, row))
    return found


def recovery_figures(story: Story) -> dict:
    """Everything a manager's report reads for this customer."""
    incident = Incident.objects.get(pk=story.incident.pk)
    record = CustomerRecoveryRecord.objects.get(customer=story.customer)
    survey = SurveyResponse.objects.get(incident=incident)
    return {
        "incident": [
            getattr(incident, name)
            for name in (
                "status",
                "outcome",
                "reported_at",
                "dispatched_at",
                "on_site_at",
                "recovered_at",
                "first_promised_eta",
                "time_to_dispatch",
                "time_to_arrival",
                "time_to_recovery",
                "eta_error",
                "promise_kept",
                "sla_met",
            )
        ],
        "record": (
            record.recoveries,
            record.median_time_to_recovery,
            record.sla_met_pct,
            record.promises_kept_pct,
        ),
        "survey": (survey.score, survey.category, survey.answered_at),
        "follow_up": FollowUp.objects.get(incident=incident).status,
        "sms": sorted(
            Message.objects.filter(customer=story.customer).values_list(
                "direction", "kind", "status", "segments", "created_at"
            )
        ),
    }
