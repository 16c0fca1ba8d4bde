"""Domain errors of the recovery engine; the API turns each into a 4xx a dispatcher can act on."""

from core.errors import DomainError


class IllegalTransition(DomainError):
    """The incident is not in a state where this step makes sense."""

    status_code = 409
    code = "illegal_transition"


class MachineUnavailable(DomainError):
    """Another dispatcher reserved the machine a moment earlier, or it is no longer available."""

    status_code = 409
    code = "machine_taken"


class NotPermitted(DomainError):
    """The person may not do this, e.g. approve goodwill without being a manager."""

    status_code = 403
    code = "not_permitted"


class InvalidRequest(DomainError):
    """The request cannot be carried out as given."""

    status_code = 400
    code = "invalid"


class NotAssigned(DomainError):
    """The job is not the technician's (any more). A 404, so nobody learns that it exists."""

    status_code = 404
    code = "not_found"


class OpenIncident(DomainError):
    """The machine or rental is part of an open breakdown: its status, machine and SLA follow the
    incident's steps until it is recovered or cancelled."""

    status_code = 409
    code = "open_incident"
