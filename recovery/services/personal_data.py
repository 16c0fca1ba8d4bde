"""The recovery engine's copies of a customer's personal data: erasure and retention."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from fleet.models import Customer
from recovery.models import (
    DowntimeCredit,
    EtaRevision,
    EventKind,
    FollowUp,
    GoodwillCredit,
    Incident,
    JobPhoto,
    TimelineEvent,
)
from workshop.models import WorkOrder

# What stands in for a customer's own words once they are gone; the event itself stays.
QUOTE_ERASED = "[erased]"
QUOTE_EXPIRED = "[deleted after the retention period]"


def customer_incidents_erase(
    *, customer: Customer, scrub: Callable[[str], str], site_decimals: int
) -> dict[str, int]:
    """Erase a customer's words and identifiers from their incidents, keeping every figure.

    The customer's SMS quoted on the timeline go entirely; staff's free text (symptom, reasons,
    notes) loses the names and numbers `scrub` knows. Times, durations, SLA and promise outcomes,
    survey scores and NPS categories are untouched, so managers' figures do not move."""
    incidents = Incident.objects.filter(rental__customer=customer)
    counts = {
        "incidents": 0,
        "timeline_events": 0,
        "eta_revisions": 0,
        "goodwill_credits": 0,
        "follow_ups": 0,
    }
    for incident in incidents.only(
        "pk", "symptom", "call_customer_reason", "cause_reason", "site_lat", "site_lon"
    ):
        Incident.objects.filter(pk=incident.pk).update(
            symptom=scrub(incident.symptom),
            call_customer_reason=scrub(incident.call_customer_reason)[:255],
            cause_reason=scrub(incident.cause_reason)[:255],
            site_lat=round(incident.site_lat, site_decimals),
            site_lon=round(incident.site_lon, site_decimals),
        )
        counts["incidents"] += 1
    events = TimelineEvent.objects.filter(incident__in=incidents)
    counts["timeline_events"] += events.filter(kind=EventKind.CUSTOMER_MESSAGE).update(detail=QUOTE_ERASED)
    for event in (
        events.exclude(kind=EventKind.CUSTOMER_MESSAGE).exclude(detail="").only("pk", "detail", "data")
    ):
        if (scrubbed := scrub(event.detail)) != event.detail:
            # The translatable copy repeats what was typed: the page falls back to the scrubbed line.
            data = {key: value for key, value in event.data.items() if key != "i18n"}
            TimelineEvent.objects.filter(pk=event.pk).update(detail=scrubbed, data=data)
            counts["timeline_events"] += 1
    for revision in EtaRevision.objects.filter(incident__in=incidents).only("pk", "reason"):
        if (scrubbed := scrub(revision.reason)) != revision.reason:
            EtaRevision.objects.filter(pk=revision.pk).update(reason=scrubbed)
            counts["eta_revisions"] += 1
    for credit in GoodwillCredit.objects.filter(incident__in=incidents).only("pk", "reason"):
        if (scrubbed := scrub(credit.reason)) != credit.reason:
            GoodwillCredit.objects.filter(pk=credit.pk).update(reason=scrubbed)
            counts["goodwill_credits"] += 1
    # A manager's notes of a call with the customer are about the person: all of it goes.
    counts["follow_ups"] = (
        FollowUp.objects.filter(incident__in=incidents).exclude(note="").update(note=QUOTE_ERASED)
    )
    counts["job_photos"] = _job_photos_delete(JobPhoto.objects.filter(incident__in=incidents))
    for downtime in DowntimeCredit.objects.filter(incident__in=incidents).only(
        "pk", "explanation", "removed_reason"
    ):
        DowntimeCredit.objects.filter(pk=downtime.pk).update(
            explanation=scrub(downtime.explanation)[:255], removed_reason=scrub(downtime.removed_reason)[:255]
        )
    # The symptom went to the workshop with the unit.
    counts["work_orders"] = 0
    for order in WorkOrder.objects.filter(rental__customer=customer).only("pk", "fault", "resolution"):
        WorkOrder.objects.filter(pk=order.pk).update(
            fault=scrub(order.fault), resolution=scrub(order.resolution)
        )
        counts["work_orders"] += 1
    return counts


def _job_photos_delete(photos: QuerySet[JobPhoto]) -> int:
    """Site photos and signed delivery notes show the person and their home: rows and files go.

    Files are removed only once the transaction commits, so a rollback never leaves a row whose
    file is gone."""
    found = list(photos.values_list("pk", "file"))
    JobPhoto.objects.filter(pk__in=[pk for pk, _ in found]).delete()
    storage = JobPhoto._meta.get_field("file").storage
    names = [name for _, name in found if name]

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(found)


def customer_message_quotes_expire(*, older_than: datetime) -> int:
    """The SMS retention applies to the copy of a customer's SMS on the timeline too."""
    return (
        TimelineEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE, at__lt=older_than)
        .exclude(detail__in=("", QUOTE_ERASED, QUOTE_EXPIRED))
        .update(detail=QUOTE_EXPIRED)
    )
