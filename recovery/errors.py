"""Domain errors of the recovery engine; the API turns each into a 4xx a dispatcher can act on."""


class RecoveryError(Exception):
    code = "recovery_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IllegalTransition(RecoveryError):
    """The incident is not in a state where this step makes sense (409)."""

    code = "illegal_transition"


class MachineUnavailable(RecoveryError):
    """Another dispatcher reserved the machine a moment earlier, or it is no longer available (409)."""

    code = "machine_taken"


class NotPermitted(RecoveryError):
    """The person may not do this (403), e.g. approving goodwill without being a manager."""

    code = "not_permitted"


class InvalidRequest(RecoveryError):
    """The request cannot be carried out as given (400)."""

    code = "invalid"
