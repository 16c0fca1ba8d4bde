from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """The rental contract's lines (which unit stood on site when) and its downtime terms."""

    name = "contracts"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fleet.models import Rental

        from .services import rental_first_line_open

        post_save.connect(rental_first_line_open, sender=Rental, dispatch_uid="contracts.first_line")
