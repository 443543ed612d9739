"""The read-ahead reader (a forked child parses, the importer writes) gives exactly what the in-process reader
gives: the same activities, problems, refusal and progress, on every valid, broken and hostile input."""

from __future__ import annotations

import io
from typing import Any

import pytest

from amity.interop.iati import parser
from amity.interop.iati.parser import ActivityReader, FileRefused
from amity.interop.tests import hostile


def _read(data: bytes, *, ahead: bool) -> tuple[list[Any], tuple[Any, ...] | None, int]:
    progress: list[int] = []
    items: list[Any] = []
    refused = None
    try:
        with ActivityReader(io.BytesIO(data), on_progress=progress.append, ahead=ahead) as reader:
            items.extend(reader)
    except FileRefused as exc:
        refused = (exc.message, exc.line, exc.params)
    return items, refused, progress[-1] if progress else 0


@pytest.mark.parametrize("case", hostile.CASES)
def test_reading_ahead_gives_what_reading_in_process_gives(case: str) -> None:
    data = hostile.build(case)
    assert _read(data, ahead=True) == _read(data, ahead=False)


def test_reading_ahead_sends_many_batches_and_counts_every_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "READ_AHEAD_BATCH", 2)
    data = hostile.valid_activities(7)
    items, refused, consumed = _read(data, ahead=True)
    assert refused is None and consumed == len(data)
    assert [a.identifier for a in items] == [a.identifier for a in _read(data, ahead=False)[0]]
    assert len(items) == 7


def test_a_reader_that_dies_is_an_error_not_an_empty_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_args: Any) -> None:
        import os

        os._exit(3)

    monkeypatch.setattr(parser, "_read_into", crash)
    with (
        pytest.raises(RuntimeError, match="exit code 3"),
        ActivityReader(io.BytesIO(hostile.valid_activities(2)), ahead=True) as reader,
    ):
        list(reader)
