"""A crew's open jobs: the cheap "busy" signal that the crew ranking and the dispatch plan share."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from recovery.models import OPEN_STATUSES, Incident


def technician_open_jobs() -> Coalesce:
    """A technician's open jobs, as an annotation on technicians: the cheap "busy" signal. It reads
    the partial index of open incidents by technician, never the technician's past jobs."""
    jobs = (
        Incident.objects.filter(technician=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("technician")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(jobs, output_field=IntegerField()), 0)
