"""The one hook through which the workshop announces work orders opening and closing.

Sent inside the step's transaction; the apps above (integrations) subscribe in their ready()."""

from enum import StrEnum

from django.dispatch import Signal


class WorkOrderEvent(StrEnum):
    OPENED = "opened"
    CLOSED = "closed"


# Receivers get `work_order` (the WorkOrder as saved) and `event` (a WorkOrderEvent).
work_order_event = Signal()
