"""Prints each SMS to standard output: the `make run` default, so a demo never texts anyone."""

import sys
import threading
import uuid

from .base import BaseSmsBackend, SentMessage


class ConsoleBackend(BaseSmsBackend):
    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

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
        sid = f"CO{uuid.uuid4().hex}"
        rule = "-" * 60
        with self._lock:
            self.stream.write(f"{rule}\nSMS to {to}  ({sid})\n{rule}\n{body}\n{rule}\n")
            self.stream.flush()
        return SentMessage(sid=sid, status="sent")
