from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Customer SMS: backends, the message ledger, Twilio webhooks, tracking links."""

    name = "notifications"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
