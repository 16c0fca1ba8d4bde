"""What the console remembers about a desk user between sessions: their language."""

from django.conf import settings
from django.db import models


class DeskProfile(models.Model):
    # Kept per user, not per browser: dispatchers share desks and switch machines between shifts.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_profile"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser language'}"
