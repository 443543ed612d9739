"""A reporting duty in a real browser: an NGO representative submits its Form 05, the province's approver returns
it with a note, the NGO submits it again, and the province accepts it (locked)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.obligations.choices import ObligationState
from amity.obligations.models import Obligation
from amity.obligations.seed import duty_rules_seed
from amity.obligations.services import obligations_generate
from amity.organisations.models import Organisation, Registration

from .conftest import sign_in_as, snap

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_ngo_submits_form_05_and_the_province_returns_then_accepts_it(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    duty_rules_seed()  # the flush between browser tests empties the rules loaded at migrate
    hai_phong = province("31")
    ngo = Organisation.objects.create(name="Stichting Vrienden van Vietnam", kind="foreign_ngo")
    today = timezone.localdate()
    registration = Registration.objects.create(
        organisation=ngo,
        kind="operation",
        number="07/BNG-GĐK",
        issue_date=date(today.year - 1, 1, 10),
        expiry_date=date(today.year + 1, 1, 9),
    )
    registration.provinces.set([hai_phong])
    obligations_generate(today=today)
    duty = Obligation.objects.filter(rule__code="d58-form-05", organisation=ngo, period_start__lte=today).latest(
        "period_start"
    )
    representative = make_user("ngo_rep", Role.NGO_REPRESENTATIVE, organisation=ngo)
    approver = make_user("approver", Role.PROVINCIAL_APPROVER, (hai_phong,))
    report = {"name": "mau-05.pdf", "mimeType": "application/pdf", "buffer": PDF}

    def submit(note: str) -> None:
        page.goto(reverse("obligations:mine"))
        page.locator(f'a[href="{duty.get_absolute_url()}"]').click()  # the running year's, among the older one
        page.set_input_files("#id_file", report)
        page.fill("#id_note", note)
        page.get_by_role("button", name=vi("Submit"), exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(vi("The report was submitted."))

    def review(decision: str, note: str = "") -> None:
        page.context.clear_cookies()
        sign_in_as(page, approver, live_server)
        page.goto(reverse("obligations:review_queue"))
        page.locator(f'a[href="{duty.get_absolute_url()}"]').click()
        page.get_by_label(vi(decision)).check()
        page.fill("#id_note", note)
        page.get_by_role("button", name=vi("Record the review")).click()
        expect(page.locator(".alert-success")).to_contain_text(vi("The review was recorded."))

    sign_in_as(page, representative, live_server)
    submit("Báo cáo năm")
    review("Return for correction", "Thiếu danh sách dự án")
    expect(page.locator("#review-note")).to_have_text("Thiếu danh sách dự án")
    duty.refresh_from_db()
    assert duty.state == ObligationState.RETURNED

    page.context.clear_cookies()
    sign_in_as(page, representative, live_server)
    submit("Đã bổ sung danh sách dự án")
    review("Accept")
    snap(page, "guide-reporting-duty-accepted")
    duty.refresh_from_db()
    assert duty.state == ObligationState.ACCEPTED and duty.submissions.count() == 2
    # Locked: the representative no longer finds a form to submit.
    page.context.clear_cookies()
    sign_in_as(page, representative, live_server)
    page.goto(duty.get_absolute_url())
    expect(page.locator("#id_file")).to_have_count(0)
