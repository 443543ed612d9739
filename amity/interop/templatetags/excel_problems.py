"""Showing the problems of an Excel upload in the reader's language: `{{ problem|excel_problem }}` gives the
message with its parameters, `{{ problem|excel_column }}` the column letter with the column's header."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template

from amity.interop.excel.problems import problem_text
from amity.interop.excel.templates import SPECS

register = template.Library()


@cache
def _labels() -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for spec in SPECS.values():
        for sheet in spec.sheets:
            for column in sheet.columns:
                labels.setdefault(column.key, column.label)
    return labels


@register.filter
def excel_problem(problem: dict[str, Any]) -> str:
    return problem_text(problem)


@register.filter
def excel_column(problem: dict[str, Any]) -> str:
    label = _labels().get(problem.get("field") or "")
    letter = problem.get("column") or ""
    if label is None:
        return str(letter)
    return f"{letter} ({label})" if letter else str(label)
