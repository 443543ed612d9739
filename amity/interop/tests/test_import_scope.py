"""An import report never tells a user about a record they may not see (issue 13, item 10): an IATI activity or
an Excel row naming another province's aid item — by its IATI identifier — is refused as "not in your scope",
without naming the province that owns it, the centre keeping it or its being deleted. What the user may see
(an item located in their province) is still named, so that they know whom to ask."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation

from amity.aid.services import aid_item_delete
from amity.aid.tests.factories import make_aid_item
from amity.interop.excel import problems as P
from amity.interop.excel.check import check_workbook
from amity.interop.excel.problems import problem_text
from amity.interop.tests.test_excel import aid_item_workbook, xlsx
from amity.interop.tests.test_iati_import import activity, iati_file, run_import

pytestmark = pytest.mark.django_db

IDENTIFIER = "NL-KVK-41197137-VN-001"
NOT_IN_SCOPE = "This aid item is not in your scope; you cannot change it."


def iati_report(user: Any) -> tuple[Any, str]:
    """The import's result and its report as stored (JSON) and as read in Vietnamese and English."""
    result = run_import(iati_file(activity(IDENTIFIER)), user=user)
    shown = []
    for language in ("vi", "en"):
        with translation.override(language):
            shown += [translation.gettext(p.message) % p.params for p in result.problems]
    return result, json.dumps([p.as_json() for p in result.problems], ensure_ascii=False) + " ".join(shown)


def test_an_iati_activity_naming_another_provinces_unseen_item_is_not_in_scope(users: dict[str, Any], son_la: Any):
    make_aid_item(users["admin"], owning_province=son_la, iati_identifier=IDENTIFIER)  # located in Sơn La only

    result, report = iati_report(users["editor"])  # a Hải Phòng editor, who may not see it

    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    assert [(p.message, p.params, p.field) for p in result.problems] == [(NOT_IN_SCOPE, {}, "iati-identifier")]
    assert "Sơn La" not in report and son_la.name_en not in report


def test_an_unseen_item_kept_by_the_centre_or_deleted_is_only_not_in_scope(users: dict[str, Any]) -> None:
    centre = make_aid_item(users["central"], owning_province=None, locations=[], iati_identifier=IDENTIFIER)
    result, report = iati_report(users["editor"])
    assert [p.message for p in result.problems] == [NOT_IN_SCOPE]
    assert "centre" not in report

    aid_item_delete(user=users["central"], aid_item=centre, expected_version=centre.version)
    result, report = iati_report(users["editor"])
    assert [p.message for p in result.problems] == [NOT_IN_SCOPE]
    assert "deleted" not in report


def test_an_item_the_user_sees_but_may_not_change_is_named_with_its_province(
    users: dict[str, Any], hai_phong: Any, son_la: Any
) -> None:
    # Owned by Sơn La, located in Hải Phòng too: the Hải Phòng editor sees it on their lists, so may be told whose.
    make_aid_item(
        users["admin"],
        owning_province=son_la,
        locations=((son_la, "50"), (hai_phong, "50")),
        iati_identifier=IDENTIFIER,
    )
    result, _report = iati_report(users["editor"])
    assert [(p.message, p.params) for p in result.problems] == [
        ("This aid item belongs to %(province)s; you cannot change it.", {"province": son_la.name_vi})
    ]


def test_an_excel_row_naming_another_provinces_unseen_item_tells_nothing_about_it(
    users: dict[str, Any], son_la: Any
) -> None:
    theirs = make_aid_item(users["admin"], owning_province=son_la, iati_identifier=IDENTIFIER)
    aid_item_delete(user=users["admin"], aid_item=theirs, expected_version=theirs.version)

    check = check_workbook(
        "aid_items", xlsx(aid_item_workbook(users["editor"], iati_identifier=IDENTIFIER)), users["editor"]
    )

    assert [p["message"] for p in check.problems] == [P.MATCHED_NOT_CHANGEABLE]
    with translation.override("en"):
        assert "deleted" not in problem_text(check.problems[0]) and "Sơn La" not in problem_text(check.problems[0])
