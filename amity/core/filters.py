"""Filters shared by the apps' FilterSets."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

# The years a filter takes: those of the report form (reports.forms.ReportParametersForm). A year outside
# Python's dates (0, 1e30) used to reach the database lookup and fail there as a server error.
FIRST_YEAR = 1901
LAST_YEAR = 2199


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """A whole year between FIRST_YEAR and LAST_YEAR; anything else (0, -1, 0.5, 1e30) is refused by the
    filter's form, so the page shows the error and the API answers 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)
