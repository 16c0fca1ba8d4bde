"""Writes about customers' personal data: the audit log, erasure, and the retention job.

Each app erases its own copies (fleet the customer and sites, recovery the incidents, notifications
the SMS ledger); this module decides what goes, in what order, in one transaction."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.idempotency import idempotency_keys_erase_mentioning, idempotency_keys_purge
from core.models import AuditAction, AuditChannel
from core.roles import AnyUser
from fleet import services as fleet_services
from fleet.models import Customer
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from recovery import selectors as recovery_selectors
from recovery import services as recovery_services

from .errors import ErasureRefused
from .scrub import Scrubber

User = AnyUser

# The customer's own fields, as the audit entry of an erasure lists them.
ERASED_CUSTOMER_FIELDS = ["company", "contact_name", "mobile", "sms_consent", "sms_opted_out_at"]


@dataclass
class ErasureReport:
    customer_id: int
    already_erased: bool
    counts: dict[str, int] = field(default_factory=dict)


def _erasure_refusal(customer: Customer) -> str | None:
    incident = recovery_selectors.open_incident_for_customer(customer=customer)
    if incident is not None:
        return (
            f"Customer #{customer.pk} has an open incident (#{incident.pk}, "
            f"{incident.get_status_display().lower()}): recover or cancel it first, then erase."
        )
    if notification_selectors.messages_in_flight_for_customer(customer=customer).exists():
        return (
            f"An SMS to customer #{customer.pk} is being sent right now; "
            "try again in a few minutes, once it has settled."
        )
    return None


def _admin_log_erase(customer: Customer) -> int:
    # The admin's history keeps str(customer) ("Company (Contact name)") for every change.
    content_type = ContentType.objects.get_for_model(Customer)
    return LogEntry.objects.filter(content_type=content_type, object_id=str(customer.pk)).update(
        object_repr=str(customer), change_message=""
    )


def customer_erase(
    *,
    customer: Customer,
    by: User | None,
    channel: str = AuditChannel.COMMAND,
    actor_name: str = "",
    at: datetime | None = None,
) -> ErasureReport:
    """Anonymise a customer and every copy of their personal data; keep every recovery figure.

    Refused while an incident is open (the crew still needs to reach them). Running it again is
    harmless: placeholders stay placeholders, and the second run is audited too."""
    at = at or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if (refusal := _erasure_refusal(customer)) is not None:
            raise ErasureRefused(refusal)
        report = ErasureReport(customer_id=customer.pk, already_erased=customer.erased_at is not None)
        number = str(customer.mobile) if customer.mobile else ""
        if report.already_erased:
            # The placeholders are not personal data; scrubbing them would only blur the record.
            scrub = Scrubber(phrases=[], name_parts=[])
        else:
            scrub = Scrubber.for_customer(
                company=customer.company,
                contact_name=customer.contact_name,
                site_addresses=customer.rentals.values_list("site_address", flat=True),
            )
        sms_bodies = notification_selectors.customer_message_bodies(customer=customer)
        report.counts.update(
            recovery_services.customer_incidents_erase(
                customer=customer, scrub=scrub, site_decimals=fleet_services.ERASED_SITE_DECIMALS
            )
        )
        report.counts["sms_messages"] = notification_services.customer_messages_erase(
            customer=customer, number="" if report.already_erased else number, at=at
        )
        report.counts["rentals"] = fleet_services.customer_rental_sites_erase(customer=customer)
        if not report.already_erased:
            report.counts["stored_api_answers"] = idempotency_keys_erase_mentioning(
                texts=[customer.company, customer.contact_name, number], sms_bodies=sms_bodies
            )
        fleet_services.customer_anonymise(customer=customer, at=at)
        report.counts["admin_log_entries"] = _admin_log_erase(customer)
        audit_record(
            actor=by,
            action=AuditAction.ERASE,
            channel=channel,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
            fields=ERASED_CUSTOMER_FIELDS,
            actor_name=actor_name,
            at=at,
        )
    return report


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what Pronto no longer needs: SMS bodies (and their timeline quotes) past
    SMS_BODY_RETENTION_DAYS, stored API answers past IDEMPOTENCY_KEY_RETENTION_HOURS."""
    now = now or timezone.now()
    sms_cutoff = now - timedelta(days=settings.PRONTO["SMS_BODY_RETENTION_DAYS"])
    keys_cutoff = now - timedelta(hours=settings.PRONTO["IDEMPOTENCY_KEY_RETENTION_HOURS"])
    return {
        "sms_bodies": notification_services.message_bodies_expire(older_than=sms_cutoff, at=now),
        "timeline_quotes": recovery_services.customer_message_quotes_expire(older_than=sms_cutoff),
        "stored_api_answers": idempotency_keys_purge(older_than=keys_cutoff),
    }
