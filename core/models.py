"""Idempotency keys (a retried write returns the first result) and the audit log of who viewed or
changed a customer's personal data.

The audit log records ids and field names, never the values: the log must not become one more copy
of the data it watches over, and it must survive the customer's erasure."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # Hash of method, path and body: the same key with another request is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    ERASE = "erase", "Erased"
    EXPORT = "export", "Exported"


class AuditChannel(models.TextChoices):
    API = "api", "API"
    CONSOLE = "console", "Dispatcher console"
    ADMIN = "admin", "Django admin"
    COMMAND = "command", "Management command"


class AuditEntry(models.Model):
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too: the entry must still say who after the account is deleted.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    channel = models.CharField(max_length=8, choices=AuditChannel.choices)
    # The customer's id, not a foreign key: the log outlives a customer row deleted in the admin,
    # and core sits below the fleet app that owns customers.
    customer_id = models.BigIntegerField(null=True, blank=True)
    # A list view writes one entry per request naming every customer it showed, not one per customer.
    customer_ids = models.JSONField(default=list, blank=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        # The table the privacy app created; the model moved to core so every app may write to it.
        db_table = "privacy_auditentry"
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["customer_id", "at"], name="audit_customer_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.object_type} {self.object_id}".strip()
