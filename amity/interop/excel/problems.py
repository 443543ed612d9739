"""Problems found in an uploaded workbook: one dict per sheet, row and column, the message kept as its English
source text (marked with `gettext_noop`) with its parameters, and translated only when shown, so that each
reader of an import's report sees it in their own language."""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext, gettext_noop

from amity.core import services


class Problem(TypedDict):
    sheet: str  # the sheet's name as in the file ("" for the whole file)
    row: int | None  # the Excel row number
    column: str  # the Excel column letter ("" for a whole row or sheet)
    field: str  # the column's key in the template ("" when not about one column)
    message: str  # English source text, translated when shown
    params: dict[str, Any]


def problem(
    message: str, *, sheet: str = "", row: int | None = None, column: str = "", field: str = "", **params: Any
) -> Problem:
    return {
        "sheet": sheet,
        "row": row,
        "column": column,
        "field": field,
        "message": message,
        "params": {name: _plain(value) for name, value in params.items()},
    }


def _plain(value: Any) -> Any:
    """Parameters are stored as JSON: keep numbers and text, write anything else as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def problem_text(item: Problem | dict[str, Any]) -> str:
    """The message in the active language, with its parameters."""
    text = gettext(item["message"])
    params = item.get("params") or {}
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):  # a translation with a broken placeholder: show the source text
        return item["message"] % params


# --- the messages --------------------------------------------------------------------------------------------

# The file as a whole
FILE_TOO_LARGE = gettext_noop("The file is %(size)s MB, more than the %(limit)s MB allowed.")
NOT_XLSX = gettext_noop("The file is not an Excel workbook (.xlsx): %(reason)s.")
ZIP_TOO_MANY_PARTS = gettext_noop("The file has %(count)s parts, more than any workbook; it may be a zip bomb.")
ZIP_TOO_BIG = gettext_noop(
    "The file would unpack to %(size)s MB, more than the %(limit)s MB allowed; it may be a zip bomb."
)
ZIP_RATIO = gettext_noop(
    "A part of the file (%(part)s) is compressed %(ratio)s times, far more than a workbook ever is; "
    "it may be a zip bomb."
)
XML_DOCTYPE = gettext_noop("A part of the file (%(part)s) declares XML entities, which a workbook never does.")
NOT_TEMPLATE = gettext_noop(
    "This workbook is not an Amity template; download the template for %(kind)s and copy your data into it."
)
WRONG_KIND = gettext_noop("This is a template for %(found)s, not for %(kind)s.")
MISSING_SHEET = gettext_noop("The sheet “%(name)s” is missing from the workbook.")
MISSING_KEY_ROW = gettext_noop(
    "The hidden row 2 of column keys is missing or was changed; download the template again."
)
MISSING_COLUMN = gettext_noop("The column “%(name)s” is missing.")
TOO_MANY_ROWS = gettext_noop("The sheet has more than %(limit)s rows of data; split it into several files.")
NO_ROWS = gettext_noop("The workbook has no rows of data.")

# One cell
FORMULA = gettext_noop("A formula (%(formula)s) where a value belongs; copy the cells and paste them as values.")
CELL_ERROR = gettext_noop("The cell holds the error %(value)s.")
REQUIRED = gettext_noop("This field is required.")
DATE_TEXT = gettext_noop("“%(value)s” is text, not a date; enter it as a date (a cell formatted as a date).")
NOT_A_DATE = gettext_noop("“%(value)s” is not a date.")
NOT_A_NUMBER = gettext_noop("“%(value)s” is not a number.")
TOO_LARGE = gettext_noop("“%(value)s” is larger than any amount Amity records.")
TOO_MANY_DECIMALS = gettext_noop("“%(value)s” has more than %(places)s decimal places.")
PERCENT_RANGE = gettext_noop("A percentage is more than 0 and at most 100 (this is %(value)s).")
TOO_LONG = gettext_noop("At most %(limit)s characters (this has %(length)s).")
UNKNOWN_CODE = gettext_noop("“%(value)s” is not one of the allowed values.")
NOT_A_BOOL = gettext_noop("“%(value)s” is neither yes nor no.")
UNKNOWN_UNIT = gettext_noop("No province or commune of era %(era)s has the code “%(value)s”.")
BAD_ID = gettext_noop(
    "“%(value)s” is not an identifier written by Amity; leave the hidden identifier as exported, or empty."
)
BAD_VERSION = gettext_noop("“%(value)s” is not a version written by Amity; leave the hidden version as exported.")
INVALID = gettext_noop("%(error)s")  # a rule of the record (the text comes from the model or the service)

# Records
UNKNOWN_ID = gettext_noop("No record with this identifier is recorded (or you may not see it).")
NOT_CHANGEABLE = gettext_noop("You may not change this record.")
NOT_ADDABLE = gettext_noop("You may not add records of this kind.")
OUTSIDE_JURISDICTION = gettext_noop("You may not record this for province %(province)s.")
DELETED = gettext_noop("This record was deleted; restore it before importing it again.")
STALE = services.STALE  # the same words for a stale version, whichever writer finds it
DUPLICATE_ID = gettext_noop("The same record is in row %(other)s too.")
DUPLICATE_IATI = gettext_noop("The same IATI identifier as row %(other)s.")
DUPLICATE_NAME = gettext_noop("The same organisation name as row %(other)s.")
DUPLICATE_NUMBER = gettext_noop("The same kind and number as row %(other)s.")
DUPLICATE_REFERENCE = gettext_noop("The same owning province and reference number as row %(other)s.")
IATI_TAKEN = gettext_noop("Another record already has the IATI identifier “%(value)s”.")
NUMBER_TAKEN = gettext_noop("Another registration of this kind already has the number “%(value)s”.")
SPLIT_AMBIGUOUS = gettext_noop(
    "Several aid items of this file have the reference “%(value)s”; use the identifier instead."
)
MATCHED_NOT_CHANGEABLE = gettext_noop("“%(value)s” is already recorded, and you may not change that record.")
ORGANISATION_UNKNOWN = gettext_noop("No organisation “%(value)s” is recorded.")
ORGANISATION_AMBIGUOUS = gettext_noop("Several organisations are called “%(value)s”; give its IATI identifier instead.")
AID_ITEM_UNKNOWN = gettext_noop("No aid item “%(value)s” is in this file or recorded.")
AID_ITEM_NOT_CHANGEABLE = gettext_noop("You may not change aid item “%(value)s”.")
SPLIT_NOT_IN_FILE = gettext_noop("Aid item “%(value)s” is not in the aid items sheet of this file.")
EXPIRY_CHANGE = gettext_noop("The expiry date changes only by recording an extension or amendment on the registration.")
NOT_REGISTRANT = gettext_noop("Only foreign non-governmental organisations and foundations are registered.")
CONFLICT = gettext_noop("Someone saved this record while the file was being written; check the file again.")
WRITE_FAILED = gettext_noop("The file could not be written, and nothing was changed: %(error)s")
