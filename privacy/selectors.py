"""Reads of the audit log."""

from django.db import connection
from django.db.models import Q, QuerySet

from core.models import AuditEntry


def audit_entry_list() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor")


def audit_entries_about_customer(*, entries: QuerySet[AuditEntry], customer_id: int) -> QuerySet[AuditEntry]:
    """Entries about one customer: their own page, and every list that showed them."""
    about = Q(customer_id=customer_id)
    # SQLite (the laptop demo) cannot look inside a JSON list; there, only single-customer entries.
    if connection.features.supports_json_field_contains:
        about |= Q(customer_ids__contains=[customer_id])
    return entries.filter(about)
