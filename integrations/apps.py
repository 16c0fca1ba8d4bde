from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The rental system beside Pronto: signed outbound webhooks and imports of customers and rentals."""

    name = "integrations"

    def ready(self) -> None:
        from recovery.events import incident_event
        from workshop.events import work_order_event

        from .receivers import webhook_on_incident_event, webhook_on_work_order_event

        incident_event.connect(webhook_on_incident_event, dispatch_uid="integrations.webhooks.incident")
        work_order_event.connect(webhook_on_work_order_event, dispatch_uid="integrations.webhooks.work_order")
