from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Customers' personal data: who saw or changed it (the audit log), erasure, retention."""

    name = "privacy"
