from django.apps import AppConfig


class FleetConfig(AppConfig):
    """Branches, machine categories, machines, customers, rentals and technicians."""

    name = "fleet"
