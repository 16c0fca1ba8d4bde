"""Amounts in euro as each desk writes and reads them: 1.250,50 in Italian, 1,250.50 in English.

An amount that fits neither the page's language nor plain digits is refused, never guessed: read
the wrong way, "1250.50" on an Italian page would be a credit a hundred times too large."""

import re
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# (thousands separator, decimal separator) per language; the page's language decides.
SEPARATORS = {"it": (".", ","), "en": (",", ".")}


def _separators(language: str | None) -> tuple[str, str]:
    return SEPARATORS.get((language or "en")[:2], SEPARATORS["en"])


def parse_amount(text: str, *, language: str | None = None) -> Decimal | None:
    """The amount typed, or None when it is not one in this language's way of writing numbers."""
    group, decimal = _separators(language or get_language())
    text = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    g, d = re.escape(group), re.escape(decimal)
    grouped = rf"\d{{1,3}}(?:{g}\d{{3}})+"
    if not re.fullmatch(rf"(?:{grouped}|\d+)(?:{d}\d{{1,2}})?", text):
        return None
    try:
        return Decimal(text.replace(group, "").replace(decimal, "."))
    except InvalidOperation:
        return None


def format_amount(value: Decimal | float | int) -> str:
    """€1,250.50 on an English page, 1.250,50 € on an Italian one."""
    number = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return _("€%(amount)s") % {"amount": number}


def example_amount() -> str:
    """How to write 1,250.50 in the page's language, for hints and error messages."""
    group, decimal = _separators(get_language())
    return f"1{group}250{decimal}50"
