from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Customer SMS: backends, the message ledger, Twilio webhooks, tracking links."""

    name = "notifications"
