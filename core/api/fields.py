"""Input fields that refuse what DRF would quietly coerce: an id with a fraction, a time
without its UTC offset, a time nowhere near now. Every API serializer uses these."""

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id must be a whole number: `1.9` would otherwise be read as record 1 and write to it."""

    default_error_messages = {
        "not_whole": "Give the id as a whole number, e.g. 42 (got {value!r}).",
    }

    def to_internal_value(self, data: Any) -> Any:
        # bool is an int to Python; a float is never an id, even 2.0.
        whole = isinstance(data, int) and not isinstance(data, bool)
        if not whole and not (isinstance(data, str) and data.strip().isdigit()):
            self.fail("not_whole", value=data)
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """A time with its UTC offset: without one we would have to guess whose clock it is.

    `window` (a pair of timedeltas before and after now) refuses times no one could mean, such as
    an ETA in 1900."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-11-23T10:15:00+01:00.",
        "implausible": "This time is not between {earliest} and {latest}.",
    }

    def __init__(self, *, window: tuple[timedelta, timedelta] | None = None, **kwargs: Any) -> None:
        self.window = window
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # out-of-range parts: the parent says "wrong format"
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        try:
            at = super().to_internal_value(value)
        except OverflowError:
            # Year 1 or 9999 shifted by the offset falls off the calendar.
            self.fail("invalid", format="ISO 8601")
        if self.window is not None:
            before, after = self.window
            now = timezone.now()
            earliest, latest = now - before, now + after
            if not earliest <= at <= latest:
                self.fail(
                    "implausible",
                    earliest=timezone.localtime(earliest).isoformat(timespec="minutes"),
                    latest=timezone.localtime(latest).isoformat(timespec="minutes"),
                )
        return at


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated related and date-time fields are the strict ones above."""

    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: AwareDateTimeField,
    }
