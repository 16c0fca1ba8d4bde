from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    """The service branch: work orders for broken units and the machines' status history."""

    name = "workshop"
