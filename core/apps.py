from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: roles, API error format, idempotency keys, health probes."""

    name = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from . import checks  # noqa: F401  (registers the system checks)
        from .logs import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="core.logs.clear_request_id")
