from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """Travel times between points: the straight-line estimate, or a road network (OSRM)."""

    name = "routing"
