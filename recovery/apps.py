from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    """Breakdowns, replacements, dispatch, ETA and recovery-speed metrics."""

    name = "recovery"

    def ready(self) -> None:
        from core.metrics import register_collector

        from .metrics import RecoveryCollector

        register_collector(RecoveryCollector())
