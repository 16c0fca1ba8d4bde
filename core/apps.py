from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: roles, API error format, idempotency keys, health probes."""

    name = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
