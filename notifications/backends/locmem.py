"""Keeps each SMS in the module-level `outbox` list, for tests (cleared before each test)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .base import BaseSmsBackend, FoundMessage, SentMessage


@dataclass(frozen=True)
class OutboxMessage:
    to: str
    body: str
    status_callback: str | None
    sid: str
    created_at: datetime = field(default_factory=timezone.now)


outbox: list[OutboxMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send(
        self,
        *,
        to: str,
        body: str,
        status_callback: str | None = None,
        sender: str | None = None,
        content_sid: str | None = None,
        content_variables: str | None = None,
    ) -> SentMessage:
        message = OutboxMessage(
            to=to, body=body, status_callback=status_callback, sid=f"LM{uuid.uuid4().hex}"
        )
        outbox.append(message)
        return SentMessage(sid=message.sid, status="queued")

    def find_sent(self, *, to: str, body: str, since: datetime) -> FoundMessage | None:
        for message in reversed(outbox):
            if message.to == to and message.body == body and message.created_at >= since:
                return FoundMessage(
                    sid=message.sid, status="queued", body=body, created_at=message.created_at
                )
        return None
