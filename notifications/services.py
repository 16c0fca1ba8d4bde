"""Customer messages: the outbox the recovery engine writes to inside its transactions."""

from recovery.models import Incident


def customer_message_queue(*, incident: Incident, kind: str) -> None:
    """Queue the customer SMS for an incident event (acknowledgement, eta, delay, arrival, recovered).

    The SMS ledger, texts and Twilio delivery arrive with the notifications work (issue 4)."""
