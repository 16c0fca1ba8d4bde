"""Outbound webhooks to the rental system (endpoints, subscriptions, events, deliveries and their
log) and the external references of what the rental system imported."""

import secrets
import uuid

from django.db import models
from django.db.models import Q

from fleet.models import Customer, Rental


class EventType(models.TextChoices):
    INCIDENT_OPENED = "incident.opened", "A breakdown was logged"
    REPLACEMENT_DISPATCHED = "replacement.dispatched", "A replacement is on its way"
    RENTAL_EXCHANGED = "rental.exchanged", "The unit on the contract was exchanged"
    RENTAL_DOWNTIME_CREDITED = "rental.downtime_credited", "Downtime credited (or the credit removed)"
    WORKORDER_OPENED = "workorder.opened", "A workshop work order was opened"
    WORKORDER_CLOSED = "workorder.closed", "A workshop work order was closed"
    SURVEY_DETRACTOR = "survey.detractor", "A customer answered the survey as a detractor"


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """Where the rental system listens. Each endpoint has its own signing secret."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=new_signing_secret)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class Subscription(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="subscriptions")
    event_type = models.CharField(max_length=40, choices=EventType.choices)

    class Meta:
        ordering = ["endpoint", "event_type"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_type"], name="webhook_subscription_once"),
            models.CheckConstraint(
                condition=Q(event_type__in=EventType.values), name="webhook_subscription_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint.name}: {self.event_type}"


class WebhookEvent(models.Model):
    """Something that happened, as the rental system will read it. Written in the transaction of the
    step that made it happen, so it exists if and only if the step committed."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    # Deliveries with the same key reach an endpoint in the order the events happened ("rental:12").
    ordering_key = models.CharField(max_length=40)
    data = models.JSONField()
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    # Gave up after WEBHOOK_MAX_ATTEMPTS; the admin's replay sends it again.
    FAILED = "failed", "Failed"


# A delivery in one of these still has to reach the endpoint; later ones with its key wait for it.
PENDING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


class Delivery(models.Model):
    """One event to one endpoint: the outbox row, claimed by a conditional UPDATE before each POST."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    ordering_key = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sending_started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "ordering_key", "id"],
                condition=Q(status__in=["queued", "sending"]),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint.name} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per POST, with what the endpoint answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class ExternalKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    RENTAL = "rental", "Rental"


class ExternalReference(models.Model):
    """The rental system's own key for a customer or rental, so a second import updates it."""

    kind = models.CharField(max_length=10, choices=ExternalKind.choices)
    reference = models.CharField(max_length=60)
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="external_reference"
    )
    rental = models.OneToOneField(
        Rental, on_delete=models.CASCADE, null=True, blank=True, related_name="external_reference"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="external_reference_unique"),
            models.CheckConstraint(
                condition=(Q(kind="customer") & Q(customer__isnull=False) & Q(rental__isnull=True))
                | (Q(kind="rental") & Q(rental__isnull=False) & Q(customer__isnull=True)),
                name="external_reference_points_at_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
