"""Background work of the document register (Django Tasks API; immediate in tests, the database queue otherwise):
reading the text of a large uploaded file, which may take seconds, outside the request that uploaded it."""

from __future__ import annotations

from django_tasks import task

from .services import document_files_read


@task()
def read_document_files(file_ids: list[int]) -> int:
    """Read the text of these files into the search; returns how many were read."""
    return document_files_read(file_ids=file_ids)
