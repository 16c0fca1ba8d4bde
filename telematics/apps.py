from django.apps import AppConfig


class TelematicsConfig(AppConfig):
    name = "telematics"
    verbose_name = "Telematics"
    default_auto_field = "django.db.models.BigAutoField"
