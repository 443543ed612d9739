"""Broken rules, one by one and by the row of a batch.

A `Breach` is one broken rule: the field it concerns, a message kept as its English source text (marked with
`gettext_noop`) and its parameters, translated only when shown — so an import's report, stored once, reads in
each reader's language. A batch service checks every row before it writes anything and collects the breaches
by row (`Breaches`); if there are any it raises `BatchRefused` and writes nothing. The same call with
`dry_run=True` is how an upload is checked, so a preview and the write cannot disagree.

`BatchRefused` is a `ValidationError` (a page shows it on its fields, the API answers 400 naming them); an
importer reads `breaches` to place each one on its sheet, row and column, or its line.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Breach(Exception):
    """A broken rule: `message` is an English source text (gettext_noop) with `params`. `field` names the field
    of the record; a part of a record is named `part.field` ("sectors.percentage"), and reads as its part
    ("sectors") where a form or the API has no finer name."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # here `field` is the attribute above
    # Not a broken rule but something the user must confirm (a location outside their provinces): the write
    # goes ahead when the caller says the user confirmed it (`confirmed=True` to the service).
    confirmable: bool = False

    def text(self) -> str:
        """The message in the active language; a date parameter in its format (stored, it is ISO 8601)."""
        if not self.params:
            return _(self.message)
        return _(self.message) % {
            name: formats.date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else value
            for name, value in self.params.items()
        }

    def lazy_text(self) -> str:  # a lazy string (`lazy`), translated when it is made a str
        """The message in the language active when it is shown: the services check and refuse in English
        (`translation.override(None)`), and the page or API answer that shows it is in its reader's language."""
        return lazy(self.text, str)()

    @property
    def record_field(self) -> str:
        """The field of the record as a form or the API names it ("" for the record as a whole)."""
        return self.field.split(".", 1)[0]

    def as_validation_error(self) -> ValidationError:
        return ValidationError({self.record_field or NON_FIELD_ERRORS: self.lazy_text()})


def breaches_of(error: ValidationError) -> list[Breach]:
    """Django's validation errors (a model's `full_clean`, a validator) as breaches, keeping each message's
    source text and parameters when Django kept them."""
    if hasattr(error, "error_dict"):
        pairs = [(name, item) for name, items in error.error_dict.items() for item in items]
    else:
        pairs = [(NON_FIELD_ERRORS, item) for item in error.error_list]
    found = []
    for name, item in pairs:
        field = "" if name == NON_FIELD_ERRORS else name
        params = dict(item.params) if isinstance(item.params, Mapping) else {}
        found.append(Breach(field, str(item.message), params))
    return found


@dataclass(frozen=True)
class RowBreach:
    """A breach of the row at `index` of a batch (the order the caller gave its rows in)."""

    index: int
    breach: Breach


class BatchRefused(ValidationError):
    """Rows of a batch break rules; nothing was written."""

    def __init__(self, breaches: Sequence[RowBreach]) -> None:
        self.breaches = list(breaches)
        # Only what the user may confirm: the batch goes through once they have (a page's box, the API's flag,
        # an upload's confirmation).
        self.asks_confirmation = bool(self.breaches) and all(found.breach.confirmable for found in self.breaches)
        messages: dict[str, list[str]] = defaultdict(list)
        for found in self.breaches:
            messages[found.breach.record_field or NON_FIELD_ERRORS].append(found.breach.lazy_text())
        super().__init__(dict(messages))


class Breaches:
    """What the rows of a batch break, collected by row so that every problem of a file is found at once."""

    def __init__(self) -> None:
        self.found: list[RowBreach] = []
        self._rows: set[int] = set()

    def add(self, index: int, breach: Breach) -> None:
        self.found.append(RowBreach(index, breach))
        self._rows.add(index)

    def broken(self, index: int) -> bool:
        return index in self._rows

    def __bool__(self) -> bool:
        return bool(self.found)

    @contextmanager
    def row(self, index: int) -> Iterator[None]:
        """Run a row's checks: a `Breach` or `ValidationError` they raise is recorded for the row, and the
        checks of the next row go on."""
        try:
            yield
        except Breach as breach:
            self.add(index, breach)
        except ValidationError as error:
            for found in breaches_of(error):
                self.add(index, found)

    def refuse(self) -> None:
        """Raise `BatchRefused` if any row broke a rule."""
        if self.found:
            raise BatchRefused(sorted(self.found, key=lambda found: found.index))


__all__ = ["BatchRefused", "Breach", "Breaches", "RowBreach", "breaches_of"]
