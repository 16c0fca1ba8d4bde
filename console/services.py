"""Writes the console owns: a desk user's preferences."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from console.models import DeskProfile


def desk_language_set(*, user: AbstractBaseUser, language: str) -> DeskProfile:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    profile, _ = DeskProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
