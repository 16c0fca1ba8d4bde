"""Why an erasure cannot go ahead now; the command prints it, the API would answer 409."""

from core.errors import DomainError


class ErasureRefused(DomainError):
    status_code = 409
    code = "erasure_refused"
