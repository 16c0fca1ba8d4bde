"""System checks that stop a misconfigured production deployment before it serves anyone."""

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def secret_key_is_not_the_default(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        return [Error("SECRET_KEY is the development default.", hint="Set SECRET_KEY.", id="pronto.E001")]
    return []


@register()
def production_has_a_real_secret_key(app_configs, **kwargs):
    production = settings.PRONTO_ENVIRONMENT == "production"
    if production and settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        return [
            Error(
                "PRONTO_ENVIRONMENT is production but SECRET_KEY is the development default.",
                hint="Set SECRET_KEY in the environment.",
                id="pronto.E002",
            )
        ]
    return []


@register()
def production_runs_without_debug(app_configs, **kwargs):
    # DEBUG pages show settings and tracebacks, phone numbers included, to anyone.
    if settings.PRONTO_ENVIRONMENT == "production" and settings.DEBUG:
        return [
            Error(
                "PRONTO_ENVIRONMENT is production but DEBUG is on.",
                hint="Unset DEBUG.",
                id="pronto.E003",
            )
        ]
    return []
