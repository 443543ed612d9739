"""Streaming reader of IATI activity files (standard 2.01–2.03): one `ParsedActivity` per `<iati-activity>`,
memory flat whatever the file's size, safe on hostile input.

Safety: lxml's `iterparse` with entity resolution, DTD loading and network access off, no huge text nodes or
deep trees (`huge_tree=False`), and any DOCTYPE refused outright (IATI files have none; a billion-laughs bomb
or an external entity needs one). A file-level fault (not XML, malformed at some line, wrong version) raises
`FileRefused`; a fault inside one activity makes that activity an `ActivityProblem` and the reading goes on.

Messages are English source texts marked with `gettext_noop` and kept with their parameters, so that the
import report is shown in each reader's language.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import multiprocessing
import os
import queue
import signal
import stat
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import IO, Any, Literal, overload

from django.utils.translation import gettext_noop
from lxml import etree

from amity.aid.rules import value_date_of
from amity.core.bulk import BULK_THRESHOLDS

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FileRefused(Exception):
    """The whole file cannot be read: nothing of it is imported."""

    def __init__(self, message: str, at_line: int | None = None, /, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.line, self.params = message, at_line, params


class ActivitySkipped(Exception):
    """One activity cannot be imported (raised while it is read or resolved). The first arguments are
    positional only, so that `params` may name any parameter of the message, "message" too."""

    def __init__(self, message: str, at_line: int | None = None, at_field: str = "", /, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.line, self.field, self.params = message, at_line, at_field, params


@dataclass(frozen=True)
class Problem:
    """A line of the import report: an activity skipped, or a part of one left out (`skipped` False)."""

    message: str
    params: dict[str, Any]
    line: int | None = None
    record: str = ""
    field: str = ""
    skipped: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "record": self.record,
            "column": self.field,
            "message": self.message,
            "params": {k: str(v) for k, v in self.params.items()},
            "skipped": self.skipped,
        }


@dataclass
class OrgRef:
    ref: str
    name: str
    type: str = ""
    role: str = ""
    line: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.ref, self.name)


@dataclass
class ParsedTransaction:
    type: str
    date: datetime.date  # in this class body, `date` below this line names the field, not the type
    amount: Decimal
    currency: str
    value_date: datetime.date
    description: str
    provider: OrgRef | None
    receiver: OrgRef | None
    recipient_country: str
    sectors: list[tuple[str, str]]  # (vocabulary, code)
    line: int
    type_line: int = 0  # the <transaction-type> element's own line
    viet_nam_share: str = ""  # Amity's export: the share of the amount that is Viet Nam's, when not 100


@dataclass
class ParsedBudget:
    kind: str
    status: str
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    value_date: date
    line: int


AMITY_NS = "urn:x-amity:iati:1"  # what Amity's own export adds to a location (see iati/export.py)
DERIVED = f"{{{AMITY_NS}}}derived-from"  # a value Amity's export wrote only because the schema requires one


@dataclass
class ParsedLocation:
    names: list[str]
    codes: list[tuple[str, str, str]]  # administrative (vocabulary, level, code)
    line: int
    ref: str = ""  # Amity's export: "gso:<era>:<level>:<code>"
    share: str = ""  # Amity's export: the location's percentage of the aid item
    damaged_name: str = ""  # set by the importer when the name matched only ignoring its damaged characters


@dataclass
class ParsedActivity:
    identifier: str
    line: int
    default_currency: str = ""
    humanitarian: bool = False
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    status: str = ""
    dates: dict[str, date] = field(default_factory=dict)  # ActivityDateType code → date
    reporting_org: OrgRef | None = None
    participants: list[OrgRef] = field(default_factory=list)
    sectors: list[tuple[str, str, Decimal | None, int]] = field(default_factory=list)  # vocabulary, code, %, line
    recipient_countries: list[tuple[str, Decimal | None]] = field(default_factory=list)
    recipient_regions: list[tuple[str, str, Decimal | None]] = field(default_factory=list)
    locations: list[ParsedLocation] = field(default_factory=list)
    aid_types: list[str] = field(default_factory=list)
    other_identifiers: list[tuple[str, str]] = field(default_factory=list)  # (ref, OtherIdentifierType)
    # Amity's own export names Viet Nam when an item records no recipient: said by Amity, not data to keep.
    recipient_countries_derived: bool = False
    budgets: list[ParsedBudget] = field(default_factory=list)
    transactions: list[ParsedTransaction] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def warn(self, message: str, at_line: int | None, at_field: str = "", **params: Any) -> None:
        self.warnings.append(Problem(message, params, at_line or self.line, self.identifier, at_field, skipped=False))


@dataclass
class ActivityProblem:
    """An activity the reader could not take: its line, identifier if known, and why."""

    problem: Problem


class _CountingReader:
    """A binary file wrapper that counts the bytes handed to the parser (the import's progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.consumed = 0
        self.head = b""  # the first bytes, to say on which line a DOCTYPE stands

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        if not self.consumed:
            self.head = chunk[:65536]
        self.consumed += len(chunk)
        return chunk


def _text(element: Any) -> str:
    return " ".join((element.text or "").split())


# Children are looked up with `iterchildren(tag)`, filtered in C; `find` and `iterfind` go through lxml's
# ElementPath, in Python, and cost several times more on a file of millions of small elements.


def _child(element: Any, tag: str) -> Any | None:
    """The first child named `tag`, or None."""
    return next(element.iterchildren(tag), None)


def _children(element: Any) -> dict[str, Any]:
    """The first child of each name, in one pass over the children."""
    first: dict[str, Any] = {}
    for child in element:
        first.setdefault(child.tag, child)
    return first


def _narratives(element: Any, default_lang: str) -> dict[str, str]:
    """`<narrative xml:lang>` children as language → text (the file's language when none is given)."""
    texts: dict[str, str] = {}
    for narrative in element.iterchildren("narrative"):
        raw = "".join(narrative.itertext()) if len(narrative) else narrative.text or ""
        text = " ".join(raw.split())
        if text:
            lang = (narrative.get(XML_LANG) or default_lang or "en").lower()
            texts[lang] = f"{texts[lang]} {text}" if lang in texts else text
    return texts


def _first_name(element: Any | None, default_lang: str) -> str:
    if element is None:
        return ""
    names = _narratives(element, default_lang)
    return next(iter(names.values()), "")


@overload
def _date(value: str | None, line: int, field: str, *, required: Literal[True] = True) -> date: ...
@overload
def _date(value: str | None, line: int, field: str, *, required: bool) -> date | None: ...
def _date(value: str | None, line: int, field: str, *, required: bool = True) -> date | None:
    if not value:
        if required:
            raise ActivitySkipped(gettext_noop("%(field)s has no date."), line, field, field=field)
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ActivitySkipped(
            gettext_noop("%(field)s: “%(value)s” is not a date (YYYY-MM-DD)."), line, field, field=field, value=value
        ) from None


def _decimal(value: str | None, line: int, field: str) -> Decimal:
    try:
        number = Decimal((value or "").strip().replace(",", ""))
    except InvalidOperation:
        raise ActivitySkipped(
            gettext_noop("%(field)s: “%(value)s” is not a number."), line, field, field=field, value=value or ""
        ) from None
    if not number.is_finite():
        raise ActivitySkipped(
            gettext_noop("%(field)s: “%(value)s” is not a number."), line, field, field=field, value=value
        )
    return number


def _percentage(value: str | None, line: int, field: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    number = _decimal(value, line, field)
    if not 0 <= number <= 100:
        raise ActivitySkipped(
            gettext_noop("%(field)s: %(value)s is not a percentage."), line, field, field=field, value=value
        )
    return number


def _org(element: Any | None, default_lang: str) -> OrgRef | None:
    if element is None:
        return None
    ref = (element.get("ref") or "").strip()
    name = _first_name(element, default_lang)
    if not ref and not name:
        return None
    return OrgRef(
        ref, name, (element.get("type") or "").strip(), (element.get("role") or "").strip(), element.sourceline
    )


def _value(element: Any | None, activity: ParsedActivity, line: int, what: str) -> tuple[Decimal, str, date | None]:
    if element is None:
        raise ActivitySkipped(gettext_noop("%(field)s has no value."), line, what, field=what)
    amount = _decimal(element.text, element.sourceline, what)
    currency = (element.get("currency") or activity.default_currency).strip().upper()
    if not currency:
        raise ActivitySkipped(
            gettext_noop("%(field)s has no currency and the activity no default currency."),
            element.sourceline,
            what,
            field=what,
        )
    value_date = _date(element.get("value-date"), element.sourceline, f"{what}/value-date", required=False)
    return amount, currency, value_date


def _read_transaction(element: Any, activity: ParsedActivity, lang: str) -> ParsedTransaction:
    line = element.sourceline
    children = _children(element)
    type_element = children.get("transaction-type")
    code = (type_element.get("code") or "").strip() if type_element is not None else ""
    if type_element is None or not code:
        raise ActivitySkipped(gettext_noop("A transaction has no type."), line, "transaction-type")
    date_element = children.get("transaction-date")
    tx_date = _date(date_element.get("iso-date") if date_element is not None else None, line, "transaction-date")
    amount, currency, value_date = _value(children.get("value"), activity, line, "transaction/value")
    if value_date is None:
        activity.warn(
            gettext_noop("A transaction has no value date: its transaction date is used."), line, "value-date"
        )
    description = children.get("description")
    country = children.get("recipient-country")
    return ParsedTransaction(
        type=code,
        date=tx_date,
        amount=amount,
        currency=currency,
        value_date=value_date_of(tx_date, value_date),
        description=_first_name(description, lang),
        provider=_org(children.get("provider-org"), lang),
        receiver=_org(children.get("receiver-org"), lang),
        recipient_country=(country.get("code") or "").strip().upper() if country is not None else "",
        sectors=[
            ((s.get("vocabulary") or "1").strip(), (s.get("code") or "").strip())
            for s in element.iterchildren("sector")
        ],
        line=line,
        type_line=type_element.sourceline or line,
        viet_nam_share=(element.get(f"{{{AMITY_NS}}}viet-nam-share") or "").strip(),
    )


def _read_budget(element: Any, activity: ParsedActivity) -> ParsedBudget:
    line = element.sourceline
    children = _children(element)
    start = children.get("period-start")
    end = children.get("period-end")
    period_start = _date(start.get("iso-date") if start is not None else None, line, "budget/period-start")
    period_end = _date(end.get("iso-date") if end is not None else None, line, "budget/period-end")
    amount, currency, value_date = _value(children.get("value"), activity, line, "budget/value")
    return ParsedBudget(
        kind=(element.get("type") or "1").strip(),
        status=(element.get("status") or "1").strip(),
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency,
        value_date=value_date or period_start,
        line=line,
    )


def read_activity(element: Any, file_lang: str) -> ParsedActivity:
    """One `<iati-activity>` element as a `ParsedActivity`; raises `ActivitySkipped`."""
    line = element.sourceline
    lang = (element.get(XML_LANG) or file_lang or "en").lower()
    identifier_element = _child(element, "iati-identifier")
    identifier = _text(identifier_element) if identifier_element is not None else ""
    if not identifier:
        raise ActivitySkipped(gettext_noop("The activity has no iati-identifier."), line, "iati-identifier")
    activity = ParsedActivity(
        identifier=identifier,
        line=line,
        default_currency=(element.get("default-currency") or "").strip().upper(),
        humanitarian=(element.get("humanitarian") or "").strip() in ("1", "true"),
    )
    activity.reporting_org = _org(_child(element, "reporting-org"), lang)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions
        if tag == "title":
            activity.titles.update(_narratives(child, lang))
        elif tag == "description":
            if (child.get("type") or "1") == "1" and child.get(DERIVED) is None:
                for key, text in _narratives(child, lang).items():
                    activity.descriptions[key] = (
                        f"{activity.descriptions[key]}\n\n{text}" if key in activity.descriptions else text
                    )
        elif tag == "participating-org":
            org = _org(child, lang) if child.get(DERIVED) is None else None
            if org is not None:
                activity.participants.append(org)
        elif tag == "other-identifier":
            ref = (child.get("ref") or "").strip()
            if ref:
                activity.other_identifiers.append((ref, (child.get("type") or "").strip()))
        elif tag == "activity-status":
            activity.status = (child.get("code") or "").strip()
        elif tag == "activity-date":
            kind = (child.get("type") or "").strip()
            found = _date(child.get("iso-date"), child.sourceline, "activity-date")
            if kind and found and child.get(DERIVED) is None:
                activity.dates[kind] = found
        elif tag == "recipient-country":
            code = (child.get("code") or "").strip().upper()
            if code:
                activity.recipient_countries.append((code, _percentage(child.get("percentage"), child.sourceline, tag)))
                activity.recipient_countries_derived = child.get(DERIVED) is not None
        elif tag == "recipient-region":
            code = (child.get("code") or "").strip()
            if code:
                activity.recipient_regions.append(
                    (
                        code,
                        (child.get("vocabulary") or "1").strip(),
                        _percentage(child.get("percentage"), child.sourceline, tag),
                    )
                )
        elif tag == "location":
            name = _child(child, "name")
            names = [*_narratives(name, lang).values()] if name is not None else []
            codes = [
                ((a.get("vocabulary") or "").strip(), (a.get("level") or "").strip(), (a.get("code") or "").strip())
                for a in child.iterchildren("administrative")
            ]
            activity.locations.append(
                ParsedLocation(
                    names,
                    codes,
                    child.sourceline,
                    (child.get("ref") or "").strip(),
                    (child.get(f"{{{AMITY_NS}}}percentage") or "").strip(),
                )
            )
        elif tag == "sector":
            activity.sectors.append(
                (
                    (child.get("vocabulary") or "1").strip(),
                    (child.get("code") or "").strip(),
                    _percentage(child.get("percentage"), child.sourceline, "sector/@percentage"),
                    child.sourceline,
                )
            )
        elif tag in ("default-aid-type",):
            code = (child.get("code") or "").strip()
            if code and (child.get("vocabulary") or "1") == "1":
                activity.aid_types.append(code)
        elif tag == "budget":
            activity.budgets.append(_read_budget(child, activity))
        elif tag == "transaction":
            activity.transactions.append(_read_transaction(child, activity, lang))
    return activity


def iter_activities(stream: IO[bytes], *, on_progress: Any = None) -> Iterator[ParsedActivity | ActivityProblem]:
    """Read `stream` (binary) activity by activity. Raises `FileRefused` for a fault of the whole file, after
    having yielded the activities before it (the caller decides to keep nothing). `on_progress(bytes_read)` is
    called after each activity."""
    reader = _CountingReader(stream)
    context = etree.iterparse(
        reader,
        events=("start", "end"),
        tag=("iati-activities", "iati-activity", "{*}iati-activities"),  # filtered in C: the rest costs nothing here
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    file_lang = "en"
    root: Any = None
    try:
        for event, element in context:
            if root is None:
                root = element.getroottree().getroot()
                _check_root(root, reader.head)
                file_lang = (root.get(XML_LANG) or "en").lower()
            if event == "start" or element.getparent() is not root:
                continue  # an activity nested in another is read as part of its parent (and ignored there)
            try:
                yield read_activity(element, file_lang)
            except ActivitySkipped as exc:
                identifier_element = _child(element, "iati-identifier")
                identifier = _text(identifier_element) if identifier_element is not None else ""
                yield ActivityProblem(
                    Problem(exc.message, exc.params, exc.line or element.sourceline, identifier, exc.field)
                )
            # Keep memory flat: drop the activity and what came before it.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del root[0]
            if on_progress is not None:
                on_progress(reader.consumed)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        detail = str(exc.msg if hasattr(exc, "msg") else exc)
        if root is None and (line is None or "Document is empty" in detail or "no element found" in detail):
            raise FileRefused(gettext_noop("The file is empty or is not XML."), line) from None
        raise FileRefused(
            gettext_noop("The file is not well-formed XML at line %(line)s: %(detail)s"), line, line=line, detail=detail
        ) from None
    if root is None:
        if getattr(context, "root", None) is not None:
            _check_root(context.root, reader.head)  # XML, but no <iati-activities>: say what it is
        raise FileRefused(gettext_noop("The file is empty or is not XML."))
    if on_progress is not None:
        on_progress(reader.consumed)


def _check_root(root: Any, head: bytes = b"") -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        at = head.find(b"<!DOCTYPE")
        line = head[:at].count(b"\n") + 1 if at >= 0 else 1
        raise FileRefused(
            gettext_noop(
                "The file declares a DOCTYPE (line %(line)s). IATI files have none; entities and DTDs are refused for"
                " safety."
            ),
            line,
            line=line,
        )
    if root.tag != "iati-activities":
        raise FileRefused(
            gettext_noop("This is not an IATI activity file: its root element is <%(tag)s>, not <iati-activities>."),
            root.sourceline,
            tag=str(root.tag),
        )
    version = (root.get("version") or "").strip()
    if version not in SUPPORTED_VERSIONS:
        raise FileRefused(
            gettext_noop("IATI version “%(version)s” is not supported; Amity reads versions 2.01 to 2.03."),
            root.sourceline,
            version=version or "?",
        )


# --- reading ahead in a second process --------------------------------------------------------------------------
# Parsing is about a third of an import's work and needs nothing of the database: a child process reads the file
# and sends the activities in batches through a pipe while the importer writes the previous ones, so an import
# uses two cores. Where processes cannot be forked (Windows, macOS by default) the file is read in-process.
#
# The child is forked (it starts at once, with the file already open; a spawned child would import Django and
# the register again, about a second per import) and keeps nothing of its parent but the file and the pipe: the
# parent's database connections are left to the parent (never used, never closed in the child: closing would end
# the parent's session) and every inherited socket is closed, so that a parent killed in the middle of its
# transaction leaves no session behind. And it dies with its parent: on Linux the kernel kills it
# (PR_SET_PDEATHSIG), elsewhere a thread of the child notices that its parent has gone.

# Activities per message: each is unpickled by the planner in one call that holds the interpreter lock, so a
# small message (a few milliseconds) keeps the writer from waiting for the lock behind a long one.
READ_AHEAD_BATCH = 25
# Messages the child keeps made while the planner is busy with a batch (about two batches of activities): a
# message (about 100 KB pickled) does not fit the pipe's own buffer, so without them the reader would wait for
# the planner after every message and the two would take turns instead of working side by side.
READ_AHEAD_MESSAGES = 40
PARENT_WATCH_EVERY = 0.5  # seconds between the child's checks that its parent still lives
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_inherited: list[Any] = []  # the parent's connection objects, kept (not garbage-collected) in the child


def _leave_the_parents_resources(keep: set[int]) -> None:
    """In the child, just forked: Django forgets the parent's database connections (the child never uses one;
    were it to, it would open its own) and the sockets the child inherited are closed — its parent's database
    sessions, a Redis connection — all but the file descriptors in `keep`."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _inherited.append(conn.connection)  # not closed: psycopg and sqlite3 would end the parent's session
            conn.connection = None
    fds = Path("/dev/fd") if Path("/dev/fd").is_dir() else None
    for name in os.listdir(fds) if fds else []:
        fd = int(name)
        if fd in keep or fd < 3:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue  # the descriptor of the listing itself, gone already


def _die_with_parent(parent: int) -> None:
    """End this process as soon as `parent` ends, whatever the child is doing (blocked writing to a full pipe)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watching thread below is enough
    if os.getppid() != parent:  # the parent died before the child could ask the kernel
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_EVERY)
        os._exit(1)

    threading.Thread(target=watch, name="amity-watch-parent", daemon=True).start()


def _refused(message: str, line: int | None, params: dict[str, Any]) -> FileRefused:
    return FileRefused(message, line, **params)


class _Outbox:
    """The child's messages, pickled as they are made and written to the pipe by a thread of their own, so that
    the child goes on parsing while the pipe is full, up to `READ_AHEAD_MESSAGES` ahead."""

    def __init__(self, sender: Any) -> None:
        self.sender = sender
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=READ_AHEAD_MESSAGES)
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="amity-reader-send", daemon=True)
        self.thread.start()

    def send(self, message: tuple[str, Any, int]) -> None:
        if self.failed is not None:
            raise self.failed
        self.queue.put(bytes(ForkingPickler.dumps(message)))

    def close(self) -> None:
        """Send what is left, then close the pipe."""
        self.queue.put(None)
        self.thread.join()
        self.sender.close()

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            try:
                self.sender.send_bytes(data)
            except BaseException as error:  # the parent stopped reading: the child's next message raises it
                self.failed = error
                while self.queue.get() is not None:  # so that the parser never blocks on a full queue
                    pass
                return


def _read_into(stream: IO[bytes], sender: Any, batch_size: int, parent: int | None = None) -> None:
    """The child: read `stream` and send ("activities", [...], bytes read) messages, then ("done", …), or
    ("refused", FileRefused, …) or ("failed", text, …)."""
    if parent is not None:
        _die_with_parent(parent)
        _leave_the_parents_resources({sender.fileno(), *_descriptors_of(stream)})
    # What the child inherits from the parent lives as long as it does: frozen, the collector never scans it
    # again (nor writes to its pages, which would copy them); what the reader allocates is freed by reference
    # counting, so its young generation is collected rarely (`few_collections`).
    gc.freeze()
    gc.set_threshold(*BULK_THRESHOLDS)
    consumed = [0]
    batch: list[ParsedActivity | ActivityProblem] = []
    outbox = _Outbox(sender)
    try:
        for parsed in iter_activities(stream, on_progress=lambda n: consumed.__setitem__(0, n)):
            batch.append(parsed)
            if len(batch) >= batch_size:
                outbox.send(("activities", batch, consumed[0]))
                batch = []
        outbox.send(("activities", batch, consumed[0]))
        outbox.send(("done", None, consumed[0]))
    except FileRefused as refused:
        outbox.send(("activities", batch, consumed[0]))
        outbox.send(("refused", (refused.message, refused.line, refused.params), consumed[0]))
    except Exception as error:  # reported to the parent, which raises it
        outbox.send(("failed", f"{type(error).__name__}: {error}", consumed[0]))
    finally:
        outbox.close()


def _descriptors_of(stream: Any) -> set[int]:
    """The file descriptors a stream reads from (none for one in memory)."""
    found: set[int] = set()
    while stream is not None and len(found) < 8:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            found.add(stream.fileno())
        stream = getattr(stream, "file", None) or getattr(stream, "raw", None)  # Django's File, buffered readers
    return found


class ActivityReader:
    """`iter_activities`, parsed in a forked child process (when `ahead` and the platform can fork) that starts
    at once, so that it reads while the importer loads its reference data: the same activities, problems,
    refusal and progress either way. A context manager: leaving it stops the child if it still runs."""

    def __init__(self, stream: IO[bytes], *, on_progress: Any = None, ahead: bool = True) -> None:
        self.stream, self.on_progress = stream, on_progress
        self.child: Any = None
        if ahead and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.child = context.Process(
                target=_read_into, args=(stream, sender, READ_AHEAD_BATCH, os.getpid()), daemon=True
            )
            self.child.start()
            sender.close()  # the child holds the only writing end: a dead child ends the reading with EOFError

    def __enter__(self) -> ActivityReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.child is None:
            return
        self.receiver.close()
        if self.child.is_alive():
            self.child.terminate()  # the importer stopped early (an error while writing): the rest is not needed
        self.child.join()
        self.child = None

    def __iter__(self) -> Iterator[ParsedActivity | ActivityProblem]:
        if self.child is None:
            yield from iter_activities(self.stream, on_progress=self.on_progress)
            return
        while True:
            try:
                kind, payload, consumed = self.receiver.recv()
            except EOFError:
                self.child.join()
                raise RuntimeError(f"The IATI reader ended unexpectedly (exit code {self.child.exitcode}).") from None
            if kind == "activities":
                yield from payload
            elif kind == "refused":
                raise _refused(*payload)
            elif kind == "failed":
                raise RuntimeError(f"The IATI reader process failed: {payload}")
            if self.on_progress is not None:
                self.on_progress(consumed)
            if kind == "done":
                return
