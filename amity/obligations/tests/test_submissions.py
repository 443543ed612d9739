"""Submitting a report and its review: files checked by content, figures kept beside Amity's, return with a note,
locked after acceptance, and the scope of who may do what."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.obligations import services
from amity.obligations.choices import ObligationState, ReviewDecision
from amity.obligations.models import Obligation, Submission
from amity.obligations.services import ReviewRow, SubmissionRow
from amity.obligations.tests.factories import of_rule, pdf, register

pytestmark = pytest.mark.django_db
TODAY = date(2026, 1, 5)


@pytest.fixture
def form_05(ngo: Any, hai_phong: Any) -> Obligation:
    register(ngo, hai_phong)
    services.obligations_generate(today=TODAY)
    return of_rule("d58-form-05", organisation=ngo)[0]  # 15 Dec 2024 – 14 Dec 2025, overdue since 18 Dec 2025


def submit(user: Any, obligation: Obligation, **row: Any) -> Submission:
    [submission] = services.submissions_save(
        user=user, rows=[SubmissionRow(obligation, row.pop("file", pdf()), **row)], today=TODAY
    )
    return submission


def test_ngo_submits_its_form_05_with_a_file(users: dict[str, Any], form_05: Obligation) -> None:
    submission = submit(users["ngo_rep"], form_05, note="Báo cáo năm 2025")
    form_05.refresh_from_db()
    assert form_05.state == ObligationState.SUBMITTED and form_05.submitted_at is not None
    assert submission.file.read().startswith(b"%PDF") and submission.submitted_by == users["ngo_rep"]
    assert form_05.history.first().history_change_reason == services.SUBMITTED


def test_province_returns_with_a_note_then_accepts_and_the_duty_is_locked(
    users: dict[str, Any], form_05: Obligation
) -> None:
    submit(users["ngo_rep"], form_05)
    with pytest.raises(BatchRefused) as refused:
        services.obligations_review(user=users["approver"], rows=[ReviewRow(form_05, ReviewDecision.RETURN, "  ")])
    assert "review_note" in refused.value.message_dict
    services.obligations_review(
        user=users["approver"], rows=[ReviewRow(form_05, ReviewDecision.RETURN, "Thiếu phụ lục")]
    )
    form_05.refresh_from_db()
    assert (form_05.state, form_05.review_note) == (ObligationState.RETURNED, "Thiếu phụ lục")
    submit(users["ngo_rep"], form_05, note="Đã bổ sung")
    services.obligations_review(user=users["approver"], rows=[ReviewRow(form_05, ReviewDecision.ACCEPT)])
    form_05.refresh_from_db()
    assert form_05.state == ObligationState.ACCEPTED
    with pytest.raises(BatchRefused) as locked:
        submit(users["ngo_rep"], form_05)
    assert [found.breach.message for found in locked.value.breaches] == [services.LOCKED]
    assert Submission.objects.filter(obligation=form_05).count() == 2


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_saved(
    users: dict[str, Any], form_05: Obligation
) -> None:
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    with pytest.raises(BatchRefused) as refused:
        submit(users["ngo_rep"], form_05, file=fake)
    assert "file" in refused.value.message_dict
    form_05.refresh_from_db()
    assert form_05.state == ObligationState.OPEN and not Submission.objects.exists()


@override_settings(AMITY_UPLOAD_MAX_BYTES=20)
def test_a_file_over_the_size_limit_is_refused(users: dict[str, Any], form_05: Obligation) -> None:
    with pytest.raises(BatchRefused) as refused:
        submit(users["ngo_rep"], form_05)
    [found] = refused.value.breaches
    assert found.breach.field == "file" and found.breach.message.startswith("The file is %(size)s; the largest")


def test_a_submission_needs_a_file_and_numbers_for_figures(users: dict[str, Any], hai_phong: Any) -> None:
    services.obligations_generate(today=TODAY)
    [form_04] = of_rule("d58-form-04", province=hai_phong, period_start=date(2024, 12, 15))
    with pytest.raises(BatchRefused) as refused:
        services.submissions_save(
            user=users["editor"],
            rows=[SubmissionRow(form_04, None, figures={"aid_items": "mười", "invented": "1"})],
            today=TODAY,
        )
    messages = refused.value.message_dict
    assert "file" in messages and len(messages["figures"]) == 2


def test_corrected_figures_are_kept_beside_those_amity_filled_in(users: dict[str, Any], hai_phong: Any) -> None:
    services.obligations_generate(today=TODAY)
    [form_04] = of_rule("d58-form-04", province=hai_phong, period_start=date(2024, 12, 15))
    submission = submit(users["editor"], form_04, figures={"registered_ngos": "31"})
    assert submission.prefilled["registered_ngos"] == "0"
    assert submission.differences == {"registered_ngos": ("0", "31")}


def test_no_one_else_submits_or_reviews(users: dict[str, Any], form_05: Obligation) -> None:
    for user in (users["editor"], users["son_la_editor"], users["central"], users["viewer"]):
        with pytest.raises(PermissionDenied):
            submit(user, form_05)
    submit(users["ngo_rep"], form_05)
    for user in (users["editor"], users["ngo_rep"], users["son_la_editor"]):
        with pytest.raises(PermissionDenied):
            services.obligations_review(user=user, rows=[ReviewRow(form_05, ReviewDecision.ACCEPT)])


def test_a_stale_version_is_a_conflict_and_a_dry_run_writes_nothing(users: dict[str, Any], form_05: Obligation) -> None:
    with pytest.raises(ValidationError):
        services.submissions_save(
            user=users["ngo_rep"], rows=[SubmissionRow(form_05, pdf(), expected_version=99)], dry_run=True, today=TODAY
        )
    services.submissions_save(user=users["ngo_rep"], rows=[SubmissionRow(form_05, pdf())], dry_run=True, today=TODAY)
    assert not Submission.objects.exists()
    with pytest.raises(ConflictError):
        submit(users["ngo_rep"], form_05, expected_version=99)


def test_scope_ngo_sees_its_own_province_its_own_centre_all(
    users: dict[str, Any], form_05: Obligation, hai_phong: Any
) -> None:
    def visible(user: Any) -> set[int]:
        return set(Obligation.objects.restrict(user, "view").values_list("pk", flat=True))

    assert visible(users["ngo_rep"]) == set(
        Obligation.objects.filter(organisation=form_05.organisation).values_list("pk", flat=True)
    )
    assert form_05.pk in visible(users["viewer"]) and form_05.pk not in visible(users["son_la_editor"])
    assert visible(users["central"]) == set(Obligation.objects.values_list("pk", flat=True))
    assert not visible(users["no_role"])
