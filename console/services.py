"""Writes the console owns: a desk user's preferences and the desk's read marks."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from console.models import ConversationRead, DeskProfile
from recovery.models import Incident


def desk_language_set(*, user: User, language: str) -> DeskProfile:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    profile, _ = DeskProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


def conversation_mark_read(*, incident: Incident, at: datetime | None = None) -> None:
    """The desk has seen the incident's conversation up to now."""
    ConversationRead.objects.update_or_create(incident=incident, defaults={"read_at": at or timezone.now()})


def desk_board_filters_set(*, user: User, filters: dict[str, str | int | None]) -> DeskProfile:
    """Remember the board's filters for this person (empty values dropped)."""
    kept = {key: value for key, value in filters.items() if value not in (None, "")}
    profile, _ = DeskProfile.objects.update_or_create(user=user, defaults={"board_filters": kept})
    return profile
