"""The incident's state machine: which step may start from which status and where it leads, and the
guards that go with a step. Nothing else decides whether a step is legal."""

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from recovery.errors import IllegalTransition, InvalidRequest
from recovery.models import OPEN_STATUSES, EventKind, Incident, IncidentStatus, Outcome

S = IncidentStatus

# How the messages below name a status and a step, in the reader's language (the codes stay English).
STATUS_WORDS: dict[str, Promise] = {
    S.REPORTED: gettext_lazy("reported"),
    S.REPLACEMENT_RESERVED: gettext_lazy("replacement reserved"),
    S.DISPATCHED: gettext_lazy("dispatched"),
    S.EN_ROUTE: gettext_lazy("en route"),
    S.ON_SITE: gettext_lazy("on site"),
    S.RECOVERED: gettext_lazy("recovered"),
    S.CLOSED: gettext_lazy("closed"),
    S.CANCELLED: gettext_lazy("cancelled"),
    S.SUSPECTED: gettext_lazy("suspected"),
    S.DISMISSED: gettext_lazy("dismissed"),
}
ACTION_WORDS: dict[str, Promise] = {
    "reserve": gettext_lazy("reserve"),
    "dispatch": gettext_lazy("dispatch"),
    "depart": gettext_lazy("depart"),
    "arrive": gettext_lazy("arrive"),
    "recover": gettext_lazy("recover"),
    "close": gettext_lazy("close"),
    "cancel": gettext_lazy("cancel"),
    "reassign": gettext_lazy("reassign"),
    "decline": gettext_lazy("decline"),
    "confirm": gettext_lazy("confirm"),
    "dismiss": gettext_lazy("dismiss"),
}

# The state machine: action -> (states it may start from, state it leads to). Nothing else decides.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # A machine's own fault report is a suspicion until a dispatcher (or a customer's rule) confirms it.
    "confirm": (frozenset({S.SUSPECTED}), S.REPORTED),
    "dismiss": (frozenset({S.SUSPECTED}), S.DISMISSED),
    "reserve": (frozenset({S.REPORTED}), S.REPLACEMENT_RESERVED),
    "dispatch": (frozenset({S.REPORTED, S.REPLACEMENT_RESERVED}), S.DISPATCHED),
    "depart": (frozenset({S.DISPATCHED}), S.EN_ROUTE),
    # A crew that forgot to tap "en route" still arrives.
    "arrive": (frozenset({S.DISPATCHED, S.EN_ROUTE}), S.ON_SITE),
    "recover": (frozenset({S.ON_SITE}), S.RECOVERED),
    "close": (frozenset({S.RECOVERED}), S.CLOSED),
    # A suspicion is dismissed, not cancelled: nothing was promised to the customer.
    "cancel": (frozenset(OPEN_STATUSES) - {S.SUSPECTED}, S.CANCELLED),
    "reassign": (frozenset({S.REPLACEMENT_RESERVED, S.DISPATCHED, S.EN_ROUTE}), S.REPORTED),
    # The technician hands the job back before leaving; once on the road, the dispatcher reassigns.
    "decline": (frozenset({S.DISPATCHED}), S.REPORTED),
}

ACTION_EVENTS = {
    "confirm": EventKind.CONFIRMED,
    "dismiss": EventKind.DISMISSED,
    "reserve": EventKind.RESERVED,
    "dispatch": EventKind.DISPATCHED,
    "depart": EventKind.EN_ROUTE,
    "arrive": EventKind.ON_SITE,
    "recover": EventKind.RECOVERED,
    "close": EventKind.CLOSED,
    "cancel": EventKind.CANCELLED,
    "reassign": EventKind.REASSIGNED,
    "decline": EventKind.DECLINED,
}


# While the crew is on its way the arrival time can still move; before dispatch nothing was promised,
# and once on site the promise has been kept or broken.
ETA_REVISABLE = frozenset({S.DISPATCHED, S.EN_ROUTE})


def allowed_actions(*, incident: Incident) -> list[str]:
    """What can be done next, for the console's buttons and the API's 409 messages."""
    return [action for action, (sources, _) in TRANSITIONS.items() if incident.status in sources]


def step_check(*, incident: Incident, action: str) -> None:
    """Raise IllegalTransition naming what is allowed now, unless `action` may start from here."""
    sources, _ = TRANSITIONS[action]
    if incident.status not in sources:
        allowed = ", ".join(str(ACTION_WORDS[a]) for a in allowed_actions(incident=incident))
        raise IllegalTransition(
            gettext("Cannot %(action)s an incident that is %(status)s; allowed now: %(allowed)s.")
            % {
                "action": ACTION_WORDS[action],
                "status": STATUS_WORDS[incident.status],
                "allowed": allowed or gettext("nothing (it is finished)"),
            }
        )


def eta_revisable_check(*, incident: Incident) -> None:
    if incident.status not in ETA_REVISABLE:
        raise IllegalTransition(gettext("The ETA can only change while the crew is dispatched or en route."))


def outcome_check(outcome: str | None) -> str:
    """Recovering needs to say how: a swap or a repair on site (the figures and the machines differ)."""
    if outcome not in Outcome.values:
        raise InvalidRequest(
            gettext("Say how it was recovered: %(outcomes)s.") % {"outcomes": " or ".join(Outcome.values)},
            field="outcome",
        )
    return outcome
