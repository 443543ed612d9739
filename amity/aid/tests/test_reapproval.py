"""Re-approval: an approved item whose approved substance changed shows "needs re-approval" with what changed,
until an approver re-approves it with a new decision (service, page, API), which becomes the decision in force,
kept in the history with who and when, and the baseline of later changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from amity.aid import services
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem
from amity.aid.selectors import changes_since_approval
from amity.conftest import client_for
from amity.core.exceptions import ConflictError, PermissionDenied

from .factories import approve, make_aid_item, make_transaction, sector

pytestmark = pytest.mark.django_db


def approved_then_changed(users, hai_phong) -> AidItem:  # type: ignore[no-untyped-def]
    item = approve(users["approver"], make_aid_item(users["editor"], owning_province=hai_phong))
    return services.aid_item_update(
        aid_item=item,
        user=users["editor"],
        data={"planned_end": date(2030, 12, 31)},
        parts=services.AidItemParts(
            sectors=[
                services.SectorShare(sector("11220"), Decimal(60)),
                services.SectorShare(sector("12220"), Decimal(40)),
            ]
        ),
        expected_version=item.version,
    )


def reapprove(user, item: AidItem, **changes) -> AidItem:  # type: ignore[no-untyped-def]
    inputs = {"decision_number": "27/QĐ-UBND", "decision_date": date(2023, 3, 1), "authority": "Chủ tịch UBND"}
    return services.aid_item_reapprove(aid_item=item, user=user, expected_version=item.version, **{**inputs, **changes})


def test_reapproval_records_the_new_decision_and_resets_the_baseline(users, hai_phong) -> None:  # type: ignore[no-untyped-def]
    item = approved_then_changed(users, hai_phong)
    assert changes_since_approval(item) is not None

    item = reapprove(users["approver"], item)

    stored = AidItem.objects.get(pk=item.pk)
    assert (stored.status, stored.decision_number, stored.decision_date) == (
        AidStatus.APPROVED,
        "27/QĐ-UBND",
        date(2023, 3, 1),
    )
    assert changes_since_approval(stored) is None
    latest = stored.history.first()
    assert (latest.history_user, latest.history_change_reason) == (users["approver"], "Approved again")
    # The first decision stays in the history.
    assert stored.history.filter(decision_number="15/QĐ-UBND").exists()

    # A later change of what was approved needs re-approval again; a commitment is part of it.
    make_transaction(users["editor"], stored, kind="2", amount="500")
    with translation.override("en"):
        changed = [str(name) for name in changes_since_approval(AidItem.objects.get(pk=item.pk)).changed]
    assert changed == ["commitments"]


def test_a_disbursement_needs_no_reapproval(users, hai_phong) -> None:  # type: ignore[no-untyped-def]
    item = approve(users["approver"], make_aid_item(users["editor"], owning_province=hai_phong))
    make_transaction(users["editor"], item, kind="3", amount="500")
    assert changes_since_approval(AidItem.objects.get(pk=item.pk)) is None


def test_reapproval_is_refused_without_changes_a_whole_decision_or_permission(users, hai_phong) -> None:  # type: ignore[no-untyped-def]
    unchanged = approve(users["approver"], make_aid_item(users["editor"], owning_province=hai_phong))
    with pytest.raises(ValidationError) as refused:
        reapprove(users["approver"], unchanged)
    assert "status" in refused.value.message_dict

    item = approved_then_changed(users, hai_phong)
    with pytest.raises(PermissionDenied):
        reapprove(users["editor"], item)  # editors record changes; approvers approve them
    with pytest.raises(ValidationError) as refused:
        reapprove(users["approver"], item, decision_number="", decision_date=date(2022, 1, 1))
    assert set(refused.value.message_dict) == {"decision_number", "decision_date"}  # missing; before the first
    with pytest.raises(ConflictError):
        services.aid_item_reapprove(
            aid_item=item,
            user=users["approver"],
            decision_number="27/QĐ-UBND",
            decision_date=date(2023, 3, 1),
            authority="UBND",
            expected_version=item.version - 1,
        )
    assert AidItem.objects.get(pk=item.pk).decision_number == "15/QĐ-UBND"


def test_the_page_says_needs_reapproval_and_an_approver_reapproves(users, hai_phong) -> None:  # type: ignore[no-untyped-def]
    item = approved_then_changed(users, hai_phong)
    url = reverse("aid:lifecycle", args=[item.public_id, "reapprove"])

    editor_page = client_for(users["editor"]).get(item.get_absolute_url()).content.decode()
    assert "amity-changed-since-approval" in editor_page
    assert "ngày kết thúc dự kiến, tỷ trọng theo lĩnh vực" in editor_page
    assert url not in editor_page  # not the editor's to do
    approver = client_for(users["approver"])
    assert url in approver.get(item.get_absolute_url()).content.decode()

    data = {
        "version": item.version,
        "decision_number": "27/QĐ-UBND",
        "decision_date": "2023-03-01",
        "decision_authority": "Chủ tịch UBND",
    }
    assert approver.post(url, data).status_code == 302
    page = approver.get(item.get_absolute_url())
    assert page.context["since_approval"] is None
    assert url not in page.content.decode()  # nothing left to re-approve
    assert approver.post(url, {**data, "version": item.version + 1}).status_code == 400  # nothing changed


def test_the_api_reapproves(users, hai_phong) -> None:  # type: ignore[no-untyped-def]
    item = approved_then_changed(users, hai_phong)
    url = f"/api/v1/aid-items/{item.public_id}/reapprove/"
    body = {"decision_number": "27/QĐ-UBND", "decision_date": "2023-03-01", "decision_authority": "UBND"}
    editor, approver = APIClient(), APIClient()
    editor.force_authenticate(users["editor"])
    approver.force_authenticate(users["approver"])

    assert editor.post(url, body, format="json").status_code == 403
    missing = approver.post(url, {**body, "decision_authority": ""}, format="json")
    assert (missing.status_code, list(missing.json())) == (400, ["decision_authority"])
    done = approver.post(url, body, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["decision_number"], done.json()["status"]) == ("27/QĐ-UBND", AidStatus.APPROVED)
    assert approver.post(url, body, format="json").status_code == 400  # nothing changed since
