"""The SMS ledger: every text to or from a customer is one row, written before anything is sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fleet.models import Customer
from recovery.models import Incident


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "To the customer"
    INBOUND = "inbound", "From the customer"


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class MessageKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Apology on logging"
    # The machine told us first: the customer hears of the fault before they call.
    PROACTIVE = "proactive", "Fault noticed by telematics"
    ETA = "eta", "Dispatch and arrival time"
    DELAY = "delay", "Delay apology"
    ARRIVAL = "arrival", "On site"
    RECOVERED = "recovered", "Running again"
    SURVEY = "survey", "0-10 survey"
    HELP = "help", "Answer to HELP"
    FREE_TEXT = "free_text", "Dispatcher's message"
    REPLY = "reply", "Customer's reply"
    CANCELLED = "cancelled", "Visit cancelled"
    CHANNEL = "channel", "Answer to WHATSAPP or SMS"
    LAST_MILE = "last_mile", "Crew a few minutes away"


# Sent at most once per incident; a second request for one of these is a bug or a retry.
ONCE_PER_INCIDENT = (
    MessageKind.ACKNOWLEDGEMENT,
    MessageKind.RECOVERED,
    MessageKind.SURVEY,
    MessageKind.CANCELLED,
    MessageKind.LAST_MILE,
)
# Not about a breakdown in progress: they wait for the sender numbers to be free of those that are.
BULK_KINDS = (MessageKind.SURVEY,)


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    # The request left and no answer came back: Twilio may hold it. Settled by a status
    # callback or by the sweeper asking Twilio, never by resending blindly.
    UNKNOWN = "unknown", "Outcome unknown"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    NOT_SENT = "not_sent", "Not sent"
    # The incident moved on before it left ("on the way" once the crew is on site): never sent.
    SUPERSEDED = "superseded", "Superseded"
    RECEIVED = "received", "Received"


# A row in one of these may still be (re)sent or looked up at Twilio by its body: never blank it.
IN_FLIGHT_STATUSES = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.UNKNOWN)

# Status callbacks may repeat or arrive out of order: a status only ever moves up this ladder.
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.UNKNOWN: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.NOT_SENT: 3,
    MessageStatus.SUPERSEDED: 3,
    MessageStatus.RECEIVED: 3,
}


class NotSentReason(models.TextChoices):
    OPTED_OUT = "opted_out", "The customer texted STOP"
    NO_CONSENT = "no_consent", "The customer gave no SMS consent"
    # A WhatsApp outside the 24-hour window with no approved template for it: it went by SMS.
    NO_TEMPLATE = "no_template", "No WhatsApp template outside the 24-hour window"


class Message(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="sms_messages"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="sms_messages"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    # The numbers stay plain E.164 on both channels; the backend adds Twilio's "whatsapp:" prefix.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS, db_default="sms")
    # The approved template a WhatsApp went as (outside the customer's 24-hour window); empty: free text.
    content_sid = models.CharField(max_length=34, blank=True, default="", db_default="")
    # The WhatsApp this SMS replaces after WhatsApp could not deliver it (sent once, never chained).
    fallback_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="fallback"
    )
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    to_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=2)
    # Blanked after SMS_BODY_RETENTION_DAYS or on erasure; the row stays for the figures.
    body = models.TextField(blank=True)
    body_erased_at = models.DateTimeField(null=True, blank=True)
    segments = models.PositiveSmallIntegerField()
    encoding = models.CharField(max_length=4)
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    not_sent_reason = models.CharField(max_length=12, choices=NotSentReason.choices, blank=True)
    twilio_sid = models.CharField(max_length=34, null=True, blank=True, unique=True)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField()
    # A queued row is due for a send attempt from this time (later after a transient error).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    status_updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "channel"],
                condition=Q(kind__in=ONCE_PER_INCIDENT) & Q(direction=Direction.OUTBOUND),
                name="message_once_per_incident_and_channel",
            ),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="sms_status_known"),
            models.CheckConstraint(
                condition=Q(segments__gte=1) & Q(segments__lte=10), name="sms_segments_plausible"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due"),
            models.Index(fields=["customer", "kind", "created_at"], name="sms_customer_kind"),
            # Which pool number a customer was last texted from (every send through a Messaging Service).
            models.Index(fields=["to_number", "-created_at"], name="sms_to_number_latest"),
            # The retention job's scan: bodies still held, oldest first.
            models.Index(
                fields=["created_at"], condition=Q(body_erased_at__isnull=True), name="sms_body_held"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_kind_display()} ({self.get_status_display()})"
