from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The dispatchers' web console: live board, intake, incident page, loyalty figures."""

    name = "console"
    default_auto_field = "django.db.models.BigAutoField"
