from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: roles, API error format, idempotency keys, health probes."""

    name = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)
        from .logs import clear_request_id
        from .roles import role_permissions_sync

        request_finished.connect(clear_request_id, dispatch_uid="core.logs.clear_request_id")
        # post_migrate fires once per app; by the last one every permission exists to hand out.
        post_migrate.connect(role_permissions_sync, dispatch_uid="core.roles.role_permissions_sync")
