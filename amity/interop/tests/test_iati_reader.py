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


def test_texts_with_inner_markup_and_repeated_children_read_as_the_standard_says() -> None:
    """Narratives keep the text of inner elements; where IATI allows one child (a transaction's value, type,
    provider), the first is read; elements of other namespaces are not IATI's."""
    data = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" xmlns:x="urn:example">
 <iati-activity default-currency="EUR">
  <iati-identifier> XM-1 </iati-identifier>
  <title><narrative xml:lang="vi">Nước <x:b>sạch</x:b>  cho   trường</narrative>
   <narrative>Clean water</narrative><x:narrative>not IATI</x:narrative></title>
  <transaction>
   <transaction-type code="3"/><transaction-type code="4"/>
   <transaction-date iso-date="2020-01-02"/>
   <value value-date="2020-01-02">10</value><value>99</value>
   <provider-org ref="XM-A"><narrative>A</narrative></provider-org><provider-org ref="XM-B"/>
   <sector code="11220"/><sector vocabulary="2" code="110"/>
  </transaction>
 </iati-activity>
</iati-activities>
""".encode()
    [activity] = _read(data, ahead=False)[0]
    assert activity.identifier == "XM-1"
    assert activity.titles == {"vi": "Nước sạch cho trường", "en": "Clean water"}
    [tx] = activity.transactions
    assert (tx.type, tx.amount, tx.provider.ref, tx.provider.name) == ("3", 10, "XM-A", "A")
    assert tx.sectors == [("1", "11220"), ("2", "110")]


def test_the_child_goes_on_parsing_while_the_pipe_is_full_and_stops_when_the_parent_stops_reading() -> None:
    """A message is larger than the pipe's own buffer: the child's outbox holds up to `READ_AHEAD_MESSAGES`
    of them, sent in order by its own thread, so the parser never waits for a busy planner until then; and
    when the reading end is closed, the next message raises instead of blocking for ever."""
    import multiprocessing
    import threading
    import time

    receiver, sender = multiprocessing.Pipe(duplex=False)
    outbox = parser._Outbox(sender)
    payload = "x" * 200_000  # three times a Linux pipe's default buffer

    def parse() -> None:
        for number in range(parser.READ_AHEAD_MESSAGES):
            outbox.send(("activities", [payload, number], number))

    parsing = threading.Thread(target=parse, daemon=True)
    parsing.start()
    parsing.join(timeout=30)
    assert not parsing.is_alive()  # every message made while nobody read: the parser did not wait
    assert [receiver.recv()[2] for _ in range(parser.READ_AHEAD_MESSAGES)] == list(range(parser.READ_AHEAD_MESSAGES))

    receiver.close()
    with pytest.raises(OSError):  # the pipe is broken: raised by one of the next messages, none hangs
        for number in range(parser.READ_AHEAD_MESSAGES + 2):
            outbox.send(("activities", [payload], number))
            time.sleep(0.01)
    outbox.close()
