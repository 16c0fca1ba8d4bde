"""Removes one customer's identifiers from free text that staff typed or the customer sent."""

import re
from collections.abc import Iterable

from core.logs import PHONE_PATTERN

ERASED = "[erased]"
# Shorter parts ("Li", "Bo") would also strike unrelated words out of a symptom.
MIN_NAME_PART = 3


class Scrubber:
    """Replaces the customer's names, company, site addresses and any phone number with [erased]."""

    def __init__(self, *, phrases: Iterable[str], name_parts: Iterable[str]):
        whole = sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True)
        parts = sorted({p for p in name_parts if len(p) >= MIN_NAME_PART}, key=len, reverse=True)
        alternatives = [re.escape(p) for p in whole] + [rf"\b{re.escape(p)}\b" for p in parts]
        self._identifiers = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    @classmethod
    def for_customer(
        cls, *, company: str, contact_name: str, site_addresses: Iterable[str] = ()
    ) -> "Scrubber":
        return cls(phrases=[company, contact_name, *site_addresses], name_parts=contact_name.split())

    def __call__(self, text: str) -> str:
        if not text:
            return text
        # Every number, not only the customer's own: a number typed into a note is someone's.
        text = PHONE_PATTERN.sub(ERASED, text)
        if self._identifiers is not None:
            text = self._identifiers.sub(ERASED, text)
        return text
