"""The desk's one search box, as a person searches: any words, in any order, accents and case
ignored, a typo forgiven, across company, contact, phone digits, fleet number, site address and
town, branch and the category in both languages. Best match first; `highlight` marks the words.

On PostgreSQL the words are matched on `unaccent` text with `pg_trgm` similarity for typos and
the rows ranked by similarity; on SQLite (the laptop demo) the same words match as substrings and
rows are ranked by how many of the fields match."""

import html
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Concat, Greatest, Lower
from django.utils.safestring import SafeString, mark_safe

# A word this similar to some word of a row counts as a match: "escavatre" finds "escavatore".
TYPO_SIMILARITY = 0.55
MIN_WORD = 2

# The searched fields, relative to a Rental.
FIELDS = (
    "customer__company",
    "customer__contact_name",
    "machine__fleet_number",
    "site_address",
    "branch__name",
    "machine__category__name",
    "machine__category__name_it",
)


def fold(text: str) -> str:
    """Lower case without accents: 'Città' and 'citta' are the same word to a dispatcher."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words_of(query: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", fold(query)) if len(w) >= MIN_WORD]


def digits_of(query: str) -> str:
    return "".join(ch for ch in query if ch.isdigit())


def _prefixed(prefix: str) -> list[str]:
    return [f"{prefix}{field}" for field in FIELDS]


def _document(prefix: str):
    parts = []
    for field in _prefixed(prefix):
        parts += [Coalesce(F(field), Value("")), Value(" ")]
    return Concat(*parts)


def search(queryset: QuerySet, *, query: str, prefix: str = "") -> QuerySet:
    """`queryset` (of rentals, or of rows reaching a rental through `prefix`, e.g. "rental__")
    narrowed to the rows matching every word of `query`, best first."""
    words = words_of(query)
    digits = digits_of(query)
    phone = f"{prefix}customer__mobile"
    # A number of four digits or more may be the end of a phone number: it matches there too.
    phone_match = Q(**{f"{phone}__contains": digits}) if len(digits) >= 4 else Q(pk__in=[])
    if not words:
        return queryset.filter(phone_match) if len(digits) >= 4 else queryset.none()
    if connection.vendor == "postgresql":
        return _search_postgres(queryset, words=words, prefix=prefix, phone_match=phone_match, digits=digits)
    return _search_portable(queryset, words=words, prefix=prefix, phone_match=phone_match, digits=digits)


def _search_postgres(queryset, *, words, prefix, phone_match, digits):
    from django.contrib.postgres.search import TrigramWordSimilarity

    folded = Func(Lower(_document(prefix)), function="unaccent", output_field=CharField())
    queryset = queryset.annotate(search_document=folded)
    ranks: list[Any] = []
    for n, word in enumerate(words):
        name = f"search_rank_{n}"
        queryset = queryset.annotate(**{name: TrigramWordSimilarity(word, "search_document")})
        matches = Q(search_document__contains=word) | Q(**{f"{name}__gte": TYPO_SIMILARITY})
        if word.isdigit() and len(word) >= 4:
            matches |= phone_match
        queryset = queryset.filter(matches)
        ranks.append(F(name))
    score = ranks[0]
    for rank in ranks[1:]:
        score = score + rank
    return queryset.annotate(search_score=score).order_by("-search_score", "-pk")


def _search_portable(queryset, *, words, prefix, phone_match, digits):
    fields = _prefixed(prefix)
    for word in words:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": word})
        if word.isdigit() and len(word) >= 4:
            matches |= phone_match
        queryset = queryset.filter(matches)
    # Rank by how many fields match some word, the way a person would skim the list.
    score: Any = None
    for field in fields:
        hit = Q()
        for word in words:
            hit |= Q(**{f"{field}__icontains": word})
        term = Case(When(hit, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
        score = term if score is None else score + term
    return queryset.annotate(search_score=Greatest(score, Value(0.0))).order_by("-search_score", "-pk")


def highlight(text: str | None, query: str) -> SafeString:
    """`text` escaped, with each searched word wrapped in <mark> (found without accents or case)."""
    text = text or ""
    folded = fold(text)
    if len(folded) != len(text):  # a character that folds to several: no marks rather than wrong ones
        return mark_safe(html.escape(text))  # noqa: S308 - escaped just above
    spans: list[tuple[int, int]] = []
    for word in sorted(set(words_of(query)) | _digit_words(query), key=len, reverse=True):
        for match in re.finditer(re.escape(word), folded):
            spans.append(match.span())
    return mark_safe(_marked(text, _merged(spans)))  # noqa: S308 - every piece escaped in _marked


def _digit_words(query: str) -> set[str]:
    digits = digits_of(query)
    return {digits} if len(digits) >= 4 else set()


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [html.escape(text[last:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)
