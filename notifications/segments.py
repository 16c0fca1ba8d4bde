"""How many SMS segments a text costs, and in which encoding.

No maintained PyPI package does this (smsutil was last released in 2020 and needs `future`),
so it lives here. A single character outside GSM-7 switches the whole text to UCS-2 and cuts a
segment from 160 to 70 characters: a non-breaking space or a curly apostrophe doubles the cost."""

import re
import unicodedata

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


# Characters people paste into names and category names, and their GSM-7 spelling. Anything
# else outside GSM-7 is decomposed (NFKD: "³" -> "3", "ł"... ) and what is still foreign dropped.
_SPELLING = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',  # guillemets
        "\u00bb": '"',
        "\u00a0": " ",  # a non-breaking space switches SMS to UCS-2 and doubles the cost
        "\u202f": " ",
        "\u2009": " ",
        "\u2026": "...",
        "\u00b0": " ",  # degree sign, as in "n°": the number reads fine without it
        "\u00b7": ".",
        "\u00d7": "x",
        "\u00b5": "u",
        "\u2044": "/",
        "\u00c0": "A",
        "\u00c8": "E",
        "\u00cc": "I",
        "\u00d2": "O",
        "\u00d9": "U",
        "\u00e7": "c",
        "\u0131": "i",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
        "\u00d0": "D",
        "\u00f0": "d",
        "\u00de": "Th",
        "\u00fe": "th",
        "\u0152": "OE",
        "\u0153": "oe",
        "\u2122": "",
        "\u00ae": "",
        "\u00a9": "",
    }
)


def to_gsm7(text: str) -> str:
    """`text` spelled in GSM-7 only: one foreign character would make the whole SMS UCS-2."""
    if is_gsm7(text):
        return text
    out = []
    for char in text.translate(_SPELLING):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        spelled = unicodedata.normalize("NFKD", char).translate(_SPELLING)
        out.extend(part for part in spelled if part in GSM7_BASIC)
    # A dropped character must not leave a double space behind.
    return re.sub(r" {2,}", " ", "".join(out))
