from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Customer SMS: backends, the message ledger, Twilio webhooks, tracking links."""

    name = "notifications"

    def ready(self) -> None:
        from core.metrics import register_collector

        from . import checks  # noqa: F401  (registers the system checks)
        from .metrics import SmsLedgerCollector

        register_collector(SmsLedgerCollector())

        from recovery.events import incident_event

        from .receivers import customer_message_on_incident_event

        incident_event.connect(
            customer_message_on_incident_event, dispatch_uid="notifications.customer_message"
        )
