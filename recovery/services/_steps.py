"""What every step of an incident shares: the row lock, the timeline event and the transition."""

from datetime import datetime

from core.roles import AnyUser, signed_in
from fleet.models import Machine
from recovery import selectors
from recovery.models import Incident, TimelineEvent
from recovery.workflow import ACTION_EVENTS, TRANSITIONS, step_check
from workshop.services import machine_status_change

# Whoever took a step: a person (any role) or None for the system.
User = AnyUser


def lock(incident: Incident) -> Incident:
    """Re-read the incident under a row lock: concurrent steps on one incident go one at a time."""
    return selectors.incident_list().select_for_update(of=("self",)).get(pk=incident.pk)


def event(
    incident: Incident,
    kind: str,
    *,
    at: datetime,
    by: User | None,
    channel: str,
    detail: str = "",
    from_status: str = "",
    data: dict | None = None,
    i18n: tuple[str, dict] | None = None,
) -> TimelineEvent:
    """`detail` is the English line the API shows; `i18n`, when given, is the same line as an English
    message id (marked with gettext_noop) and its arguments, so a page can show it in its own language.
    Text someone typed (a reason) goes into the arguments as `note`, shown after the line; erasure
    removes it."""
    if i18n is not None:
        data = {**(data or {}), "i18n": [i18n[0], i18n[1]]}
    return TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        at=at,
        actor=signed_in(by),
        channel=channel,
        from_status=from_status,
        to_status=incident.status if from_status else "",
        detail=detail,
        data=data or {},
    )


def transition(
    incident: Incident,
    action: str,
    *,
    at: datetime,
    by: User | None,
    channel: str,
    detail: str = "",
    i18n: tuple[str, dict] | None = None,
) -> TimelineEvent:
    step_check(incident=incident, action=action)
    _, target = TRANSITIONS[action]
    from_status = incident.status
    incident.status = target
    return event(
        incident,
        ACTION_EVENTS[action],
        at=at,
        by=by,
        channel=channel,
        detail=detail,
        from_status=from_status,
        i18n=i18n,
    )


def machine_status_set(
    machine: Machine | None, status: str, *, at: datetime | None = None, reason: str = ""
) -> None:
    """Move a machine, keeping its status history (the workshop's days out of service)."""
    if machine is not None:
        machine_status_change(machine=machine, status=status, at=at, reason=reason)
