"""Problems found in an uploaded workbook: one dict per sheet, row and column, the message kept as its English
source text (marked with `gettext_noop`) with its parameters, and translated only when shown, so that each
reader of an import's report sees it in their own language."""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_


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
FILE_TOO_LARGE = N_("The file is %(size)s MB, more than the %(limit)s MB allowed.")
NOT_XLSX = N_("The file is not an Excel workbook (.xlsx): %(reason)s.")
ZIP_TOO_MANY_PARTS = N_("The file has %(count)s parts, more than any workbook; it may be a zip bomb.")
ZIP_TOO_BIG = N_("The file would unpack to %(size)s MB, more than the %(limit)s MB allowed; it may be a zip bomb.")
ZIP_RATIO = N_(
    "A part of the file (%(part)s) is compressed %(ratio)s times, far more than a workbook ever is; "
    "it may be a zip bomb."
)
XML_DOCTYPE = N_("A part of the file (%(part)s) declares XML entities, which a workbook never does.")
NOT_TEMPLATE = N_(
    "This workbook is not an Amity template; download the template for %(kind)s and copy your data into it."
)
WRONG_KIND = N_("This is a template for %(found)s, not for %(kind)s.")
MISSING_SHEET = N_("The sheet “%(name)s” is missing from the workbook.")
MISSING_KEY_ROW = N_("The hidden row 2 of column keys is missing or was changed; download the template again.")
MISSING_COLUMN = N_("The column “%(name)s” is missing.")
TOO_MANY_ROWS = N_("The sheet has more than %(limit)s rows of data; split it into several files.")
NO_ROWS = N_("The workbook has no rows of data.")

# One cell
FORMULA = N_("A formula (%(formula)s) where a value belongs; copy the cells and paste them as values.")
CELL_ERROR = N_("The cell holds the error %(value)s.")
REQUIRED = N_("This field is required.")
DATE_TEXT = N_("“%(value)s” is text, not a date; enter it as a date (a cell formatted as a date).")
NOT_A_DATE = N_("“%(value)s” is not a date.")
NOT_A_NUMBER = N_("“%(value)s” is not a number.")
TOO_LARGE = N_("“%(value)s” is larger than any amount Amity records.")
TOO_MANY_DECIMALS = N_("“%(value)s” has more than %(places)s decimal places.")
NOT_POSITIVE = N_("The amount must be more than 0.")
PERCENT_RANGE = N_("A percentage is more than 0 and at most 100 (this is %(value)s).")
TOO_LONG = N_("At most %(limit)s characters (this has %(length)s).")
UNKNOWN_CODE = N_("“%(value)s” is not one of the allowed values.")
NOT_A_BOOL = N_("“%(value)s” is neither yes nor no.")
UNKNOWN_UNIT = N_("No province or commune of era %(era)s has the code “%(value)s”.")
BAD_ID = N_("“%(value)s” is not an identifier written by Amity; leave the hidden identifier as exported, or empty.")
BAD_VERSION = N_("“%(value)s” is not a version written by Amity; leave the hidden version as exported.")
INVALID = N_("%(error)s")  # a rule of the record (the text comes from the model or the service)

# Records
UNKNOWN_ID = N_("No record with this identifier is recorded (or you may not see it).")
NOT_CHANGEABLE = N_("You may not change this record.")
NOT_ADDABLE = N_("You may not add records of this kind.")
OUTSIDE_JURISDICTION = N_("You may not record this for province %(province)s.")
DELETED = N_("This record was deleted; restore it before importing it again.")
STALE = N_(
    "This record was changed after the file was exported (version %(file_version)s, now %(current)s); "
    "export it again and redo the changes."
)
DUPLICATE_ID = N_("The same record is in row %(other)s too.")
DUPLICATE_IATI = N_("The same IATI identifier as row %(other)s.")
DUPLICATE_NAME = N_("The same organisation name as row %(other)s.")
DUPLICATE_NUMBER = N_("The same kind and number as row %(other)s.")
DUPLICATE_REFERENCE = N_("The same owning province and reference number as row %(other)s.")
IATI_TAKEN = N_("Another record already has the IATI identifier “%(value)s”.")
NUMBER_TAKEN = N_("Another registration of this kind already has the number “%(value)s”.")
SPLIT_AMBIGUOUS = N_("Several aid items of this file have the reference “%(value)s”; use the identifier instead.")
TRANSACTION_MOVED = N_("A transaction cannot move to another aid item.")
NO_LICENCE = N_("%(provider)s held no valid registration on %(date)s.")
MATCHED_NOT_CHANGEABLE = N_("“%(value)s” is already recorded, and you may not change that record.")
FINAL_STATUS = N_("The aid item is %(status)s and can no longer be changed.")
ORGANISATION_UNKNOWN = N_("No organisation “%(value)s” is recorded.")
ORGANISATION_AMBIGUOUS = N_("Several organisations are called “%(value)s”; give its IATI identifier instead.")
AID_ITEM_UNKNOWN = N_("No aid item “%(value)s” is in this file or recorded.")
AID_ITEM_NOT_CHANGEABLE = N_("You may not change aid item “%(value)s”.")
SPLIT_NOT_IN_FILE = N_("Aid item “%(value)s” is not in the aid items sheet of this file.")
PERCENT_TOTAL = N_("The %(what)s percentages of aid item “%(item)s” add up to %(total)s, not 100.")
LISTED_TWICE = N_("“%(value)s” is listed twice for this aid item.")
EXPIRY_CHANGE = N_("The expiry date changes only by recording an extension or amendment on the registration.")
NOT_REGISTRANT = N_("Only foreign non-governmental organisations and foundations are registered.")
CONFLICT = N_("Someone saved this record while the file was being written; check the file again.")
WRITE_FAILED = N_("The file could not be written, and nothing was changed: %(error)s")
