"""Coordinates as Pronto stores them: two float columns, both or neither, within range.

One helper builds the database constraints and one validator checks input, so every model
that stores a position (branch, machine, job site, technician) enforces the same rule."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

LATITUDE_VALIDATORS = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180.0), MaxValueValidator(180.0)]


def latitude_field(**kwargs) -> models.FloatField:
    return models.FloatField(validators=LATITUDE_VALIDATORS, **kwargs)


def longitude_field(**kwargs) -> models.FloatField:
    return models.FloatField(validators=LONGITUDE_VALIDATORS, **kwargs)


def coordinate_constraints(
    prefix: str, lat: str = "lat", lon: str = "lon", required: bool = False
) -> list[models.BaseConstraint]:
    in_range = Q(**{f"{lat}__gte": -90.0, f"{lat}__lte": 90.0, f"{lon}__gte": -180.0, f"{lon}__lte": 180.0})
    both_or_neither = Q(**{f"{lat}__isnull": True, f"{lon}__isnull": True}) | Q(
        **{f"{lat}__isnull": False, f"{lon}__isnull": False}
    )
    constraints: list[models.BaseConstraint] = [
        models.CheckConstraint(
            condition=in_range | Q(**{f"{lat}__isnull": True}), name=f"{prefix}_coordinates_in_range"
        )
    ]
    if not required:
        constraints.append(
            models.CheckConstraint(condition=both_or_neither, name=f"{prefix}_coordinates_both_or_neither")
        )
    return constraints


def validate_coordinates(lat: float | None, lon: float | None) -> None:
    """Raise a ValidationError a person can act on; used by serializers and forms."""
    if (lat is None) != (lon is None):
        raise ValidationError(gettext("Give both latitude and longitude, or neither."))
    if lat is not None and not -90.0 <= lat <= 90.0:
        raise ValidationError(gettext("Latitude must be between -90 and 90."))
    if lon is not None and not -180.0 <= lon <= 180.0:
        raise ValidationError(gettext("Longitude must be between -180 and 180."))
