"""What the customer sees of their incident on the tracking page: their words, not the desk's.

Nothing personal beyond the technician's first name: no company, no contact, no address, no fleet
number. The job site is drawn from coordinates rounded to about 100 m, and the crew's position
only while they are on their way."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery.models import Incident, IncidentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = IncidentStatus

# The four steps the customer follows, and which incident statuses each one covers.
STEPS: tuple[tuple[str, "StrOrPromise", frozenset[str]], ...] = (
    ("logged", _("Request received"), frozenset({S.REPORTED, S.REPLACEMENT_RESERVED})),
    ("on_the_way", _("On the way"), frozenset({S.DISPATCHED, S.EN_ROUTE})),
    ("on_site", _("On site"), frozenset({S.ON_SITE})),
    ("running", _("Running again"), frozenset({S.RECOVERED, S.CLOSED})),
)

HEADLINE: dict[str, "StrOrPromise"] = {
    S.REPORTED: _("We are organising help"),
    S.REPLACEMENT_RESERVED: _("Your replacement is being prepared"),
    S.DISPATCHED: _("On the way to you"),
    S.EN_ROUTE: _("On the way to you"),
    S.ON_SITE: _("Our technician is on site"),
    S.RECOVERED: _("Up and running again"),
    S.CLOSED: _("Up and running again"),
    S.CANCELLED: _("This request was cancelled"),
}

# A crew position older than this says little about where they are now: not drawn.
CREW_POSITION_MAX_AGE = timedelta(minutes=30)
# ≈ 100 m: enough to show the site on a map, not enough to read an address off the link.
SITE_DECIMALS = 3


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # done | current | todo


@dataclass(frozen=True)
class TrackingView:
    status: str
    headline: str
    is_open: bool
    steps: list[Step]
    eta: datetime | None
    window_from: datetime | None
    window_to: datetime | None
    technician: str
    machine: str
    site: tuple[float, float]
    crew: tuple[float, float] | None
    branch_phone: str
    sms_number: str

    def as_json(self) -> dict[str, object]:
        """For the page's live refresh: times in local HH:MM, as the page prints them."""

        def hhmm(at: datetime | None) -> str | None:
            return timezone.localtime(at).strftime("%H:%M") if at else None

        return {
            "status": self.status,
            "headline": str(self.headline),
            "is_open": self.is_open,
            "steps": [{"key": s.key, "state": s.state} for s in self.steps],
            "eta": hhmm(self.eta),
            "window": [hhmm(self.window_from), hhmm(self.window_to)] if self.window_from else None,
            "technician": self.technician,
            "site": {"lat": self.site[0], "lon": self.site[1]},
            "crew": {"lat": self.crew[0], "lon": self.crew[1]} if self.crew else None,
        }


def _steps(status: str) -> list[Step]:
    current = next((i for i, (_, _, covers) in enumerate(STEPS) if status in covers), None)
    result = []
    for i, (key, label, _covers) in enumerate(STEPS):
        if current is None:  # cancelled: nothing is under way
            state = "todo"
        else:
            state = "done" if i < current else "current" if i == current else "todo"
        result.append(Step(key, str(label), state))
    return result


def tracking_view(*, incident: Incident, now: datetime | None = None) -> TrackingView:
    now = now or timezone.now()
    technician = incident.technician
    on_the_way = incident.status in (S.DISPATCHED, S.EN_ROUTE)
    crew = None
    if (
        on_the_way
        and technician is not None
        and technician.lat is not None
        and technician.lon is not None
        and technician.position_updated_at is not None
        and now - technician.position_updated_at <= CREW_POSITION_MAX_AGE
    ):
        crew = (technician.lat, technician.lon)
    eta = incident.current_eta if on_the_way else None
    grace = timedelta(minutes=settings.PRONTO["PROMISE_GRACE_MINUTES"])
    machine = incident.replacement_machine or incident.broken_machine
    return TrackingView(
        status=incident.status,
        headline=str(HEADLINE.get(incident.status, incident.get_status_display())),
        is_open=incident.is_open,
        steps=_steps(incident.status),
        eta=eta,
        # The window the customer can plan around: a little before the estimate, up to the promise
        # with its grace (what "promise kept" is judged against).
        window_from=eta - grace if eta else None,
        window_to=eta + grace if eta else None,
        technician=technician.first_name if technician is not None and incident.is_open else "",
        machine=machine.category.name,
        site=(round(incident.site_lat, SITE_DECIMALS), round(incident.site_lon, SITE_DECIMALS)),
        crew=crew,
        branch_phone=str(incident.rental.branch.phone),
        sms_number=settings.TWILIO_FROM,
    )
