"""Workshop errors; the API turns each into a documented 4xx."""

from core.errors import DomainError


class WorkOrderClosed(DomainError):
    status_code = 409
    code = "work_order_closed"


class WorkOrderInvalid(DomainError):
    status_code = 400
    code = "invalid"
