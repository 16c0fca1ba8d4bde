"""The technician's app. Phones report late and out of order (an offline queue flushing after a
tunnel), so every report carries the device's event time and none moves a job backwards."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from uuid import uuid4

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.files import human_size, image_type
from core.roles import signed_in
from fleet.models import Technician
from fleet.services import technician_position_update
from recovery import selectors
from recovery.errors import IllegalTransition, InvalidRequest, NotAssigned
from recovery.events import IncidentEvent, incident_event_announce
from recovery.models import Channel, EventKind, Incident, IncidentStatus, JobPhoto
from recovery.planning import DispatchPlan, plan_remaining
from recovery.services import _steps as steps
from recovery.services._steps import User
from recovery.services.dispatch import dispatch_arrive, dispatch_depart, eta_revise, incident_recover
from recovery.services.incidents import dispatch_restart
from recovery.workflow import ACTION_EVENTS, STATUS_WORDS, TRANSITIONS, outcome_check

S = IncidentStatus


# A job's road as the technician walks it; a report never moves a job back along it.
JOURNEY = (S.DISPATCHED, S.EN_ROUTE, S.ON_SITE, S.RECOVERED, S.CLOSED)
# The statuses a technician reports, with the transition each is and the time stamp it fills.
STATUS_REPORTS: dict[str, tuple[str, str]] = {
    S.EN_ROUTE: ("depart", "en_route_at"),
    S.ON_SITE: ("arrive", "on_site_at"),
    S.RECOVERED: ("recover", "recovered_at"),
}


def technician_next_steps(*, incident: Incident) -> list[str]:
    """What the technician's app may offer on this job now: accept, decline and the statuses."""
    if not incident.is_open:
        return []
    steps = ["accept"] if incident.accepted_at is None else []
    if incident.status in TRANSITIONS["decline"][0]:
        steps.append("decline")
    steps += [
        status for status, (action, _) in STATUS_REPORTS.items() if incident.status in TRANSITIONS[action][0]
    ]
    return steps


def _assigned_or_404(incident: Incident, *, by: User) -> None:
    """Checked under the row lock: a dispatcher may have reassigned the job a moment ago."""
    technician = getattr(by, "technician", None)
    if technician is None or incident.technician_id != technician.pk:
        raise NotAssigned(gettext("This job is not assigned to you, or does not exist."))


def dispatch_accept(
    *, incident: Incident, by: User, at: datetime, channel: str = Channel.TECHNICIAN
) -> Incident:
    """The technician confirms the job. Accepting again, or after setting off, changes nothing."""
    with transaction.atomic():
        incident = steps.lock(incident)
        _assigned_or_404(incident, by=by)
        if not incident.is_open:
            raise IllegalTransition(
                gettext("This job is %(status)s; there is nothing to accept.")
                % {"status": STATUS_WORDS[incident.status]}
            )
        if incident.accepted_at is None:
            incident.accepted_at = at
            incident.save(update_fields=["accepted_at"])
            steps.event(incident, EventKind.ACCEPTED, at=at, by=by, channel=channel)
    return incident


def dispatch_decline(
    *, incident: Incident, reason: str, by: User, at: datetime, channel: str = Channel.TECHNICIAN
) -> Incident:
    """The technician hands the job back: it returns to the dispatcher as a reassignment would."""
    with transaction.atomic():
        incident = steps.lock(incident)
        _assigned_or_404(incident, by=by)
        if incident.status in (S.EN_ROUTE, S.ON_SITE):
            raise IllegalTransition(gettext("This job is under way; call the dispatcher to hand it over."))
        return dispatch_restart(incident, "decline", reason=reason, at=at, by=by, channel=channel)


def _record_late_report(incident: Incident, status: str, *, at: datetime, by: User, channel: str) -> None:
    action, field = STATUS_REPORTS[status]
    if getattr(incident, field) is not None:
        return  # a repeat of a report we already have (the app resent it under a new key)
    position = JOURNEY.index(status)
    later = [getattr(incident, f) for s, (_, f) in STATUS_REPORTS.items() if JOURNEY.index(s) > position]
    # A stamp after the next step's would make the metrics say the crew left after arriving.
    fits = all(stamp is None or at <= stamp for stamp in later)
    if fits:
        setattr(incident, field, at)
        incident.save(update_fields=[field])
    steps.event(
        incident,
        ACTION_EVENTS[action],
        at=at,
        by=by,
        channel=channel,
        detail=f"Reported late; the job was already {incident.get_status_display().lower()}",
        data={"late": True, "time_recorded": fits},
        i18n=(gettext_noop("Reported late; the job was already %(status)s"), {"status": incident.status}),
    )


def technician_status_report(
    *,
    incident: Incident,
    status: str,
    by: User,
    at: datetime,
    outcome: str | None = None,
    channel: str = Channel.TECHNICIAN,
) -> Incident:
    """A status from the technician's app (en_route, on_site, recovered), applied in event-time order.

    A step the job has already passed is recorded as late: it fills its empty time stamp and a
    timeline event marked late, and the job stays where it is. A step the job cannot reach from
    where it is (recovered before on site, anything on a cancelled job) is an IllegalTransition."""
    if status not in STATUS_REPORTS:
        raise InvalidRequest(
            gettext("Status must be one of: %(statuses)s.") % {"statuses": ", ".join(STATUS_REPORTS)}
        )
    how = outcome_check(outcome) if status == S.RECOVERED else ""
    with transaction.atomic():
        incident = steps.lock(incident)
        _assigned_or_404(incident, by=by)
        if at < incident.reported_at:
            raise InvalidRequest(
                gettext("That time is before the breakdown was reported; check the phone's clock.")
            )
        if incident.status in JOURNEY and JOURNEY.index(incident.status) >= JOURNEY.index(status):
            _record_late_report(incident, status, at=at, by=by, channel=channel)
            return incident
        if incident.status not in TRANSITIONS[STATUS_REPORTS[status][0]][0]:
            reachable = [
                step
                for step, (action, _) in STATUS_REPORTS.items()
                if incident.status in TRANSITIONS[action][0]
            ]
            words = {
                "status": STATUS_WORDS[incident.status],
                "report": status,
                "next": " or ".join(reachable),
            }
            raise IllegalTransition(
                gettext("This job is %(status)s, so it cannot be %(report)s yet; it can be %(next)s next.")
                % words
                if reachable
                else gettext("This job is %(status)s; there is nothing left to report.") % words
            )
        if status == S.EN_ROUTE:
            return dispatch_depart(incident=incident, by=by, channel=channel, at=at)
        if status == S.ON_SITE:
            return dispatch_arrive(incident=incident, by=by, channel=channel, at=at)
        return incident_recover(incident=incident, outcome=how, by=by, channel=channel, at=at)


def job_photo_add(
    *, incident: Incident, file: File, by: User, taken_at: datetime, channel: str = Channel.TECHNICIAN
) -> JobPhoto:
    """Keep a photo of the job through the default storage, and note it on the timeline."""
    limit = settings.PRONTO["PHOTO_MAX_BYTES"]
    if file.size > limit:
        raise InvalidRequest(
            gettext("The photo is %(size)s; the limit is %(limit)s.")
            % {"size": human_size(file.size), "limit": human_size(limit)}
        )
    file.seek(0)
    found = image_type(file.read(12))
    file.seek(0)
    if found is None:
        raise InvalidRequest(gettext("Send a JPEG, PNG or WebP photo; this file is none of those."))
    content_type, extension = found
    with transaction.atomic():
        photo = JobPhoto(
            incident=incident,
            content_type=content_type,
            size=file.size,
            uploaded_by=signed_in(by),
            taken_at=taken_at,
        )
        photo.file.save(f"{uuid4().hex}{extension}", file, save=False)
        photo.save()
        steps.event(
            incident,
            EventKind.PHOTO,
            at=taken_at,
            by=by,
            channel=channel,
            data={"photo_id": photo.pk, "content_type": content_type, "size": photo.size},
        )
    return photo


@dataclass(frozen=True)
class LocationPing:
    lat: float
    lon: float
    at: datetime


@dataclass(frozen=True)
class LocationReport:
    accepted: int
    position_updated: bool
    eta_revised: list[int]  # the incidents whose ETA this report moved


def _live_eta_revise(incident: Incident, *, plan: DispatchPlan, at: datetime, by: User, channel: str) -> bool:
    eta = plan.promised_arrival
    threshold = timedelta(minutes=settings.PRONTO["LIVE_ETA_THRESHOLD_MINUTES"])
    if incident.current_eta is not None and abs(eta - incident.current_eta) < threshold:
        return False
    try:
        eta_revise(
            incident=incident,
            eta=eta,
            reason=f"Live position, {plan.site_distance_km:.1f} km to go",
            expected=plan.expected_arrival,
            by=by,
            channel=channel,
            at=at,
        )
    except IllegalTransition:
        return False  # the crew arrived between our read and the lock: nothing to revise
    return True


def _last_mile_announce(
    incident: Incident, *, plan: DispatchPlan, at: datetime, by: User, channel: str
) -> None:
    """Once per incident, when the expected arrival is LAST_MILE_MINUTES away or less: the customer
    hears "arriving in about N minutes" (notifications), the timeline keeps the minutes said."""
    left = plan.expected_arrival - at
    if (
        left > timedelta(minutes=settings.PRONTO["LAST_MILE_MINUTES"])
        or plan.expected_arrival < timezone.now()
    ):
        return  # still far; or a ping flushed so late that they are likely there already
    with transaction.atomic():
        incident = steps.lock(incident)
        if incident.status != S.EN_ROUTE or incident.timeline.filter(kind=EventKind.APPROACHING).exists():
            return
        minutes = max(1, ceil(left.total_seconds() / 60))
        # The freshest likely arrival: the text counts its minutes from it.
        incident.expected_eta = plan.expected_arrival
        incident.save(update_fields=["expected_eta"])
        steps.event(
            incident,
            EventKind.APPROACHING,
            at=at,
            by=by,
            channel=channel,
            detail=f"About {minutes} min away, {plan.site_distance_km:.1f} km to go",
            data={"minutes": minutes},
        )
        incident_event_announce(incident=incident, event=IncidentEvent.APPROACHING)


def technician_location_report(
    *, technician: Technician, pings: list[LocationPing], by: User, channel: str = Channel.TECHNICIAN
) -> LocationReport:
    """One ping or a batch: the newest by device time becomes the technician's position, and the
    ETA of a job they are driving to is revised when it moves by LIVE_ETA_THRESHOLD_MINUTES or more,
    and the customer is told once when the crew is LAST_MILE_MINUTES away.
    eta_revise decides whether the customer hears of a delay, once per margin, not per ping."""
    if not pings:
        raise InvalidRequest(gettext("Send at least one position."))
    newest = max(pings, key=lambda ping: ping.at)
    moved = technician_position_update(technician=technician, lat=newest.lat, lon=newest.lon, at=newest.at)
    revised = []
    if moved:
        assert technician.lat is not None and technician.lon is not None  # they just pinged
        for incident in selectors.technician_jobs_en_route(technician=technician):
            if incident.en_route_at is not None and newest.at < incident.en_route_at:
                continue  # a position from before they set off says nothing about this drive
            # Re-planned from where they are, through the same provider and correction as the promise.
            plan = plan_remaining(incident=incident, position=(technician.lat, technician.lon), at=newest.at)
            if _live_eta_revise(incident, plan=plan, at=newest.at, by=by, channel=channel):
                revised.append(incident.pk)
            _last_mile_announce(incident, plan=plan, at=newest.at, by=by, channel=channel)
    return LocationReport(accepted=len(pings), position_updated=moved, eta_revised=revised)
