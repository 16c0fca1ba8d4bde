"""Query filters as strict as the bodies: an id in a filter is a whole number, not 2.5 read as 2."""

from django import forms
from django_filters import rest_framework as filters


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField
