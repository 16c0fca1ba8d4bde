"""SMS backends, chosen by settings.SMS_BACKEND like Django's EMAIL_BACKEND."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseSmsBackend


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)()
