"""Every status, event and message code the engine can store has a translated name in the console."""

import pytest

from console import labels
from notifications.models import MessageKind, MessageStatus, NotSentReason
from recovery.models import Channel, EventKind, GoodwillStatus, IncidentStatus, Severity


@pytest.mark.parametrize(
    ("table", "choices"),
    [
        (labels.STATUS, IncidentStatus),
        (labels.EVENT, EventKind),
        (labels.CHANNEL, Channel),
        (labels.GOODWILL, GoodwillStatus),
        (labels.SEVERITY, Severity),
        (labels.SMS_STATUS, MessageStatus),
        (labels.SMS_KIND, MessageKind),
        (labels.SMS_NOT_SENT, NotSentReason),
    ],
)
def test_every_code_has_a_console_label(table, choices):
    assert set(choices.values) <= set(table)
