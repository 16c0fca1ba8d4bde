"""The audit log's one write: note that someone viewed or changed a customer's personal data.

Every app records through here (API, console, admin, commands); the privacy app reads the log."""

from datetime import datetime

from django.db.models import Model
from django.utils import timezone

from core.logs import request_id_var
from core.models import AuditEntry
from core.roles import AnyUser, signed_in


def _actor_name(actor: AnyUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return ""
    return actor.get_username()


def audit_record(
    *,
    actor: AnyUser | None,
    action: str,
    channel: str,
    object_type: str,
    object_id: object = "",
    customer: Model | None = None,
    customer_ids: list[int] | None = None,
    fields: list[str] | None = None,
    actor_name: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Note that `actor` viewed or changed a customer's data. Ids and field names only, no values.

    A list view passes `customer_ids` (everyone it showed) instead of one `customer`."""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=signed_in(actor),
        actor_name=actor_name or _actor_name(actor),
        action=action,
        channel=channel,
        customer_id=customer.pk if customer is not None else None,
        customer_ids=sorted(set(customer_ids or [])),
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        fields=sorted(fields or []),
        request_id=request_id_var.get() or "",
    )
