"""Matching the rows of an upload to the records they name: by the hidden identifier Amity wrote, else by a
natural key (an IATI identifier, a name, a number), among the records the user may see; whether the user may
change each, or hold a record in its province (the scope policy's answers); and what each row would do —
create, update or leave unchanged (`plan`)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model

from amity.aid import rules
from amity.aid.models import AidItem
from amity.aid.services import AidItemParts
from amity.core.models import BaseModel
from amity.core.scoping import Action
from amity.core.services import check_version, chunks
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

from . import problems as P
from .cells import INVALID, CellReader
from .reader import RawRow, ReadResult, SheetData
from .saving import CREATE, UNCHANGED, UPDATE, Planned
from .templates import WorkbookSpec


class Matcher(CellReader):
    """Matching rows to records, and the plan of each row: the checker of one kind of sheet."""

    model: ClassVar[type[BaseModel]]
    foreign_keys: ClassVar[tuple[str, ...]] = ()
    # The kinds written by a batch service check their rows in its dry run (`saving.save_planned`): versions,
    # the records' rules and their fields; the others here.
    checked_by_service: ClassVar[bool] = False

    def __init__(self, spec: WorkbookSpec, read: ReadResult, user: Any) -> None:
        super().__init__(spec, read, user)
        self._may_hold: dict[int | None, bool] = {}

    def run(self) -> list[Planned]:
        raise NotImplementedError

    def may_hold(self, province: AdministrativeUnit | None) -> bool:
        """Whether a record owned by `province` (None: the centre) is one the user may write: the scope
        policy's answer for such a record, asked once per province of the file."""
        key = getattr(province, "pk", None)
        if key not in self._may_hold:
            model = self.model
            if not issubclass(model, (Organisation, AidItem)):
                raise TypeError(f"{model.__name__} records have no owning province.")
            record = model(owning_province=province)
            self._may_hold[key] = model.scope_policy.allows(self.user, Action.ADD, record)
        return self._may_hold[key]

    def existing(self, ids: Iterable[uuid.UUID], select: Sequence[str] = ()) -> tuple[dict[uuid.UUID, Any], set[int]]:
        """Records named by identifier that the user may see (deleted ones too, to say so) and the pks the user
        may change. A record the user may not see is unknown: an upload never tells what exists elsewhere."""
        records: dict[uuid.UUID, Any] = {}
        changeable: set[int] = set()
        manager = self.model.all_objects
        for chunk in chunks(ids):
            for record in manager.restrict(self.user, Action.VIEW).filter(public_id__in=chunk).select_related(*select):
                records[record.public_id] = record
        for chunk in chunks(record.pk for record in records.values()):
            changeable.update(
                manager.restrict(self.user, Action.CHANGE).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        return records, changeable

    def changeable_pks(self, pks: Iterable[int]) -> set[int]:
        allowed: set[int] = set()
        manager = self.model.all_objects
        for chunk in chunks(pks):
            allowed.update(manager.restrict(self.user, Action.CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
        return allowed

    def identify(
        self,
        sheet: SheetData,
        row: RawRow,
        records: dict[uuid.UUID, Any],
        changeable: set[int],
        seen: dict[uuid.UUID, int],
    ) -> tuple[Any, bool]:
        """(the record the row's id names, whether the id was readable and usable)."""
        record_id = self.value(sheet, row, "id")
        if record_id is INVALID:
            return None, False
        if record_id is None:
            return None, True
        if record_id in seen:
            self.report(sheet, row, "id", P.DUPLICATE_ID, other=seen[record_id])
            return None, False
        seen[record_id] = row.number
        record = records.get(record_id)
        if record is None:
            self.report(sheet, row, "id", P.UNKNOWN_ID)
            return None, False
        if record.deleted_at is not None:
            self.report(sheet, row, "id", P.DELETED)
            return None, False
        if record.pk not in changeable:
            self.report(sheet, row, "id", P.NOT_CHANGEABLE)
            return None, False
        return record, True

    def matched(self, sheet: SheetData, row: RawRow, key: str, record: Any, changeable: set[int], value: str) -> Any:
        """A row without id that names an existing record by its natural key updates it, if the user may. The key
        may name a record the user cannot see (a unique key is looked up everywhere): the report then says only that
        the value is taken, never the record's state."""
        if record.pk not in changeable:
            self.report(sheet, row, key, P.MATCHED_NOT_CHANGEABLE, value=value[:100])
            return INVALID
        if record.deleted_at is not None:
            self.report(sheet, row, key, P.DELETED)
            return INVALID
        return record

    def validate_instance(self, sheet: SheetData, row: RawRow, instance: Model) -> bool:
        """The model's own field rules (lengths, e-mail, URL…), without queries: foreign keys were resolved from
        the look-ups and uniqueness is checked against the file and the look-ups."""
        try:
            instance.full_clean(exclude=list(self.foreign_keys), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                key = name if name in sheet.letters else ""
                for message in messages:
                    self.report(sheet, row, key, P.INVALID, error=message)
            return False
        return True

    def stale(self, sheet: SheetData, row: RawRow, record: Any, version: Any) -> bool:
        try:
            check_version(stored=record.version, expected=version if isinstance(version, int) else None)
        except rules.Breach as breach:
            self.report_breach(sheet, row, breach)
            return True
        return False

    def plan(
        self,
        sheet: SheetData,
        row: RawRow,
        record: Any,
        data: dict[str, Any],
        version: Any,
        *,
        parts: AidItemParts | None = None,
        identifier: str = "",
    ) -> Planned:
        """Compare the row with the record: an unchanged row is left alone (no history, no version bump)."""
        if record is None:
            instance = self.model()
            for name, value in data.items():
                if not self.model._meta.get_field(name).many_to_many:
                    setattr(instance, name, value)
            return Planned(sheet.title, row.number, CREATE, instance, data, None, parts, identifier, sheet.letters)
        changes = [name for name, value in data.items() if _differs(record, name, value)]
        if parts is not None:  # the kinds of parts the row changes
            changes += [kind for kind in ("sectors", "locations", "participants") if getattr(parts, kind) is not None]
        if not changes:
            return Planned(sheet.title, row.number, UNCHANGED, record, data, None, None, identifier, sheet.letters)
        if self.checked_by_service:  # the write claims the version the file was made from
            expected = version if isinstance(version, int) else record.version
        else:
            self.stale(sheet, row, record, version)
            expected = record.version
        instance = copy.copy(record)
        for name, value in data.items():
            if not self.model._meta.get_field(name).many_to_many:
                setattr(instance, name, value)
        planned = Planned(sheet.title, row.number, UPDATE, instance, data, expected, parts, identifier, sheet.letters)
        planned.changes = changes
        return planned


def _differs(record: Any, name: str, value: Any) -> bool:
    field_ = record._meta.get_field(name)
    if field_.many_to_many:
        current = {item.pk for item in getattr(record, name).all()}
        return current != {item.pk for item in value}
    if field_.is_relation:
        return bool(getattr(record, field_.attname) != (value.pk if value is not None else None))
    current = getattr(record, name)
    if isinstance(current, Decimal) and isinstance(value, Decimal):
        return current.compare(value) != 0
    return bool(current != value)
