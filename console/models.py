"""What the console remembers: each desk user's language, and which customer replies the desk has read."""

from django.conf import settings
from django.db import models


class DeskProfile(models.Model):
    # Kept per user, not per browser: dispatchers share desks and switch machines between shifts.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_profile"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    # The live board's filters ({"branch": id, "status": code, "category": id}), kept like the
    # language: a dispatcher who covers two branches finds the board as they left it.
    board_filters = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser language'}"


class ConversationRead(models.Model):
    """When the desk last looked at an incident's SMS conversation: later replies count as unread.

    One mark per incident, not per dispatcher: the desk answers a customer once, as a team."""

    incident = models.OneToOneField("recovery.Incident", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Incident {self.incident_id} read at {self.read_at:%H:%M}"
