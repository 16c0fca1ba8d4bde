"""How many SMS segments a text costs, and in which encoding.

No maintained PyPI package does this (smsutil was last released in 2020 and needs `future`),
so it lives here. A single character outside GSM-7 switches the whole text to UCS-2 and cuts a
segment from 160 to 70 characters: a non-breaking space or a curly apostrophe doubles the cost."""

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic table (the escape character itself is not text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def _count_parts(units: list[int], single: int, part: int) -> int:
    """Parts needed for a text of indivisible units (a character's septets or UTF-16 code units)."""
    if sum(units) <= single:
        return 1
    # A unit never straddles two parts: an escaped GSM character or a surrogate pair stays whole.
    parts, used = 1, 0
    for size in units:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segment_count(text: str) -> tuple[str, int]:
    """(encoding, segments) for `text`; an empty text still costs one segment."""
    if is_gsm7(text):
        return GSM7, _count_parts(
            [2 if char in GSM7_EXTENSION else 1 for char in text], GSM7_SINGLE, GSM7_PART
        )
    return UCS2, _count_parts([2 if ord(char) > 0xFFFF else 1 for char in text], UCS2_SINGLE, UCS2_PART)
