"""Report exports (issue: reports): Excel for every office, CSV for accounting tools, Word for the official
report. Each exporter takes a `ReportResult` — live from `selectors.report`, or a published report's frozen
figures through `result_from_figures` — and an `ExportContext`; one code path for both."""

from __future__ import annotations

from .base import ExportContext, filename, result_from_figures

FORMATS = ("xlsx", "csv", "docx")

__all__ = ["FORMATS", "ExportContext", "filename", "result_from_figures"]
