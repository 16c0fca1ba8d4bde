from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    """Breakdowns, replacements, dispatch, ETA and recovery-speed metrics."""

    name = "recovery"
