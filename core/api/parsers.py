"""The API's JSON parser: DRF's, with a size limit answered as 413 and a nesting limit.

Python's json module recurses once per nesting level, so a body of a few kilobytes of brackets
raises RecursionError (a 500), and a merely deep one reaches serializers that never expect it.
No request of ours nests more than a handful of levels."""

import codecs
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from core.api.errors import PayloadTooLarge

MAX_DEPTH = 20


def _deeper_than(data: Any, limit: int) -> bool:
    # Iterative, so the check itself cannot exhaust the stack.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = body_limit()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            text = codecs.decode(raw, parsers.get_encoding(parser_context))  # type: ignore[attr-defined]  # not in the stubs
            data = json.loads(text) if self.strict else json.loads(text, parse_constant=None)
        except RecursionError as exc:
            raise ParseError(
                gettext("JSON nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
            ) from exc
        except ValueError as exc:
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from exc
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(gettext("JSON nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
        return data
