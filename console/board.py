"""The live board's additions around the table: counters, per-user filters and the map's data.

The table itself (rows, paging, render cost) stays in views.py and partials/board_rows.html."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from console import services as console_services
from console.models import DeskProfile
from console.permissions import desk_required
from fleet.models import Technician
from fleet.selectors import branch_list
from recovery import selectors
from recovery.models import OPEN_STATUSES, Incident, IncidentStatus

S = IncidentStatus
# Nobody is on the way yet: the board's "unassigned" counter.
UNASSIGNED = (S.REPORTED, S.REPLACEMENT_RESERVED)


@dataclass(frozen=True)
class BoardFilters:
    branch: int | None = None
    status: str = ""
    category: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.branch or self.status or self.category)

    def q(self) -> Q:
        """The filters as a condition on incidents."""
        condition = Q()
        if self.branch:
            condition &= Q(rental__branch_id=self.branch)
        if self.status:
            condition &= Q(status=self.status)
        if self.category:
            condition &= Q(broken_machine__category_id=self.category)
        return condition


def _number(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def filters_from(data) -> BoardFilters:
    """Whatever came in (a form, a stored profile), as filters; anything malformed is no filter."""
    status = data.get("status") or ""
    return BoardFilters(
        branch=_number(data.get("branch")),
        status=status if status in OPEN_STATUSES else "",
        category=_number(data.get("category")),
    )


def filters_for(request: HttpRequest) -> BoardFilters:
    """The dispatcher's filters, kept on their profile (read by UserLanguageMiddleware with the
    language, so the board's poll spends no query on them)."""
    stored = getattr(request, "desk_board_filters", None)
    if stored is None:
        profile = DeskProfile.objects.filter(user=cast(User, request.user)).only("board_filters").first()
        stored = profile.board_filters if profile else {}
    return filters_from(stored)


def apply_filters(incidents: QuerySet[Incident], filters: BoardFilters) -> QuerySet[Incident]:
    return incidents.filter(filters.q())


@dataclass(frozen=True)
class BoardCounts:
    open: int
    at_risk: int
    breached: int
    unassigned: int


def counts(incidents: QuerySet[Incident], *, now: datetime) -> BoardCounts:
    """One query: how many are open, near the SLA deadline, past it, and still without a crew."""
    warning = timedelta(minutes=settings.PRONTO["SLA_WARNING_MINUTES"])
    # A crew on site has stopped the clock that matters to the customer: not "at risk" any more.
    racing = ~Q(status=S.ON_SITE)
    figures = incidents.order_by().aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=racing & Q(sla_due_at__lte=now)),
        at_risk=Count("pk", filter=racing & Q(sla_due_at__gt=now, sla_due_at__lte=now + warning)),
        unassigned=Count("pk", filter=Q(status__in=UNASSIGNED)),
    )
    return BoardCounts(**figures)


def _sla_state(incident: Incident, now: datetime, warning: timedelta) -> str:
    if incident.sla_due_at <= now or (incident.current_eta and incident.current_eta > incident.sla_due_at):
        return "danger"
    return "warning" if incident.sla_due_at - now < warning else "ok"


def map_data(incidents: QuerySet[Incident], *, now: datetime) -> dict:
    """Job sites coloured by SLA, crews on shift where they last reported, replacements on the road."""
    warning = timedelta(minutes=settings.PRONTO["SLA_WARNING_MINUTES"])
    sites, on_the_road = [], []
    for incident in incidents.select_related("technician__user", "replacement_machine"):
        sites.append(
            {
                "id": incident.pk,
                "lat": incident.site_lat,
                "lon": incident.site_lon,
                "label": f"#{incident.pk} {incident.rental.customer.company}",
                "url": reverse("console:incident", args=[incident.pk]),
                "sla": _sla_state(incident, now, warning),
            }
        )
        technician = incident.technician
        if incident.status == S.EN_ROUTE and technician is not None and technician.lat is not None:
            machine = incident.replacement_machine
            on_the_road.append(
                {
                    "lat": technician.lat,
                    "lon": technician.lon,
                    "to": [incident.site_lat, incident.site_lon],
                    "label": f"{machine.fleet_number if machine else ''} {technician}".strip(),
                }
            )
    crews = [
        {"lat": t.lat, "lon": t.lon, "label": str(t)}
        for t in Technician.objects.filter(on_shift=True, lat__isnull=False).select_related("user")
    ]
    return {
        # The depots' towns label the offline basemap (and give it a sense of where things are).
        "towns": [{"name": b.name, "lat": b.lat, "lon": b.lon} for b in branch_list()],
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "sites": sites,
        "crews": crews,
        "on_the_road": on_the_road,
    }


@desk_required
@require_POST
def board_filters_save(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.POST) if "clear" not in request.POST else BoardFilters()
    console_services.desk_board_filters_set(
        user=cast(User, request.user),  # desk_required: a signed-in desk user
        filters={"branch": filters.branch, "status": filters.status, "category": filters.category},
    )
    return redirect("console:board")


@desk_required
@require_GET
def board_map(request: HttpRequest) -> JsonResponse:
    incidents = apply_filters(selectors.open_incidents(), filters_for(request))
    return JsonResponse(map_data(incidents, now=timezone.now()))
