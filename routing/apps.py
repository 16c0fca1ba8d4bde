from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """Travel times between places: straight line or a routing engine, chosen in settings."""

    name = "routing"
