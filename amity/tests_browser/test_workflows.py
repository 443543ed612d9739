"""The key workflows of a provincial officer, in a real browser: sign in (in Vietnamese), record an aid item with
its sector and location, upload an Excel file, see it checked and confirm it, read a page in Arabic."""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import openpyxl
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem
from amity.conftest import PASSWORD, make_user, province
from amity.interop.choices import ImportStatus
from amity.interop.models import ImportRun

from .conftest import assert_no_csp_violation, new_context, sign_in_as, snap


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def editor() -> Any:
    return make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))


def test_sign_in_record_an_aid_item_and_read_it_in_arabic(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from amity.reference.models import CodelistItem

    user = editor()
    page.goto(reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text(vi("Log in"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    snap(page, "guide-sign-in")
    page.get_by_role("button", name=vi("Log in")).click()
    expect(page.locator(f'form[action="{reverse("accounts:logout")}"]')).to_be_attached()  # signed in

    page.goto(reverse("aid:add"))
    page.fill("#id_locations-0-unit", "31")
    fill_and_save_aid_item(page, title="Giếng nước sạch cho trường tiểu học", sector="14030")

    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    snap(page, "guide-aid-item")
    item = AidItem.objects.get()
    assert page.url.endswith(item.get_absolute_url())
    assert (item.title_vi, item.owning_province.code) == ("Giếng nước sạch cho trường tiểu học", "31")
    assert [(s.sector.code, s.percentage) for s in item.sectors.all()] == [("14030", 100)]
    assert [loc.unit.code for loc in item.locations.all()] == ["31"]
    expect(page.locator("#sectors-heading + *")).to_contain_text("14030")

    # The language menu: the same page in Arabic, right to left, and the choice stays on the next page.
    page.locator("form[action='/i18n/setlang/'] button.dropdown-toggle").click()
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # Its codes in Arabic, neither in English nor in Vietnamese (demo/tests/test_arabic_pages.py walks every page).
    water = CodelistItem.objects.of("Sector").get(code="14030")
    sectors = page.locator("#sectors-heading + *")
    expect(sectors).to_contain_text(water.name_ar)
    for latin in (water.name_en, water.name_vi):
        expect(sectors).not_to_contain_text(latin)
    expect(page.locator("main")).to_contain_text(province("31").name_ar)
    snap(page, "arabic-aid-item")
    page.goto(reverse("aid:list"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def fill_and_save_aid_item(page: Any, *, title: str, sector: str) -> None:
    """Fill the new aid item form (a Hải Phòng project with one sector and the location row's share), save."""
    from amity.reference.models import CodelistItem

    page.select_option("#id_modality", "project")
    page.fill("#id_title_vi", title)
    page.select_option("#id_owning_province", value=str(province("31").pk))
    page.select_option("#id_sectors-0-sector", value=str(CodelistItem.objects.of("Sector").get(code=sector).pk))
    page.fill("#id_sectors-0-percentage", "100")
    page.fill("#id_locations-0-percentage", "100")
    page.get_by_role("button", name=vi("Save")).click()


def test_an_excel_file_is_checked_then_confirmed_and_the_same_file_again_leaves_everything_unchanged(
    page: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, editor(), live_server)
    page.goto(reverse("interop:excel_upload"))
    with page.expect_download() as download:
        page.locator(f'a[href="{reverse("interop:excel_template", args=["aid_items"])}"]').click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    fill_aid_item_row(
        workbook.worksheets[0],
        title_vi="Tủ sách cho trường mầm non",
        modality="project – Project",
        owning_province="31 – Hải Phòng",
        reference="HP-TS-01",  # the office's own number: how a later upload finds the item again
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload_excel(page, buffer.getvalue())
    # Checked: the bar stops at 100 %, the rows to be written are listed, nothing is written yet.
    expect(page.locator("#excel-preview tbody tr")).to_have_count(1)
    expect(page.locator("#excel-preview")).to_contain_text("HP-TS-01")  # the record by its number
    snap(page, "guide-excel-preview")
    assert not AidItem.objects.exists()
    page.get_by_role("button", name=vi("Confirm and write")).click()

    expect(page.locator(".alert-success")).to_be_visible()
    run = ImportRun.objects.get()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 1)
    item = AidItem.objects.get()
    assert item.title_vi == "Tủ sách cho trường mầm non"

    # The same file again: checked, nothing to create or update, the row is left unchanged.
    page.goto(reverse("interop:excel_upload"))
    upload_excel(page, buffer.getvalue())
    checked = ImportRun.objects.latest("created_at")
    expect(page.locator(".alert-info")).to_contain_text(
        vi(
            "Confirming will create %(created)s records, update %(updated)s and leave %(unchanged)s unchanged, "
            "all at once."
        )
        % {"created": 0, "updated": 0, "unchanged": 1}
    )
    expect(page.locator("#excel-preview")).to_have_count(0)
    page.get_by_role("button", name=vi("Confirm and write")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        vi("Written: %(created)s records created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": 0, "updated": 0, "unchanged": 1}
    )
    checked.refresh_from_db()
    assert (checked.status, checked.created_count, checked.updated_count, checked.unchanged_count) == (
        ImportStatus.DONE,
        0,
        0,
        1,
    )
    assert AidItem.objects.get().version == item.version


def test_transactions_keyed_into_the_template_then_corrected_in_the_export_are_written_once(
    page: Any, live_server: Any
) -> None:
    """The transactions template filled with two transactions of an aid item (named by the office's number, the type
    and currency picked from the drop-downs' values), checked and confirmed; then the aid list's transactions
    export, one amount corrected in it, uploaded: one row changed, valued again; the same file once more: unchanged."""
    from playwright.sync_api import expect

    from amity.aid.models import Transaction
    from amity.aid.tests.factories import make_aid_item
    from amity.interop.tests.test_excel import get

    user = editor()
    item = make_aid_item(user, owning_province=province("31"), title="Trạm y tế xã Thành Đông", reference="HP-YT-07")
    sign_in_as(page, user, live_server)
    page.goto(reverse("interop:excel_upload"))
    with page.expect_download() as download:
        page.locator(f'a[href="{reverse("interop:excel_template", args=["transactions"])}"]').click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    listed = list_values(workbook)
    disbursement = next(value for value in listed["transaction_types"] if value.startswith("3 – "))
    assert disbursement == f"3 – {vi('Disbursement')}"  # the drop-down names the code in Vietnamese
    rows = {"aid_item": "HP-YT-07", "transaction_type": disbursement, "date": datetime(2026, 3, 2)}
    for row, (amount, currency) in enumerate(((12000, "USD"), (5000, "EUR")), start=3):
        chosen = next(value for value in listed["currencies"] if value.startswith(f"{currency} – "))
        fill_row(workbook.worksheets[0], row, **rows, amount=amount, currency=chosen)

    upload_excel(page, save(workbook), kind="transactions")
    expect(page.locator("#excel-preview tbody tr")).to_have_count(2)
    preview = page.locator("#excel-preview tbody")
    expect(preview.locator("tr").nth(0)).to_contain_text("HP-YT-07 · 12.000,00 USD")  # the item by its number
    expect(preview.locator("tr").nth(1)).to_contain_text("HP-YT-07 · 5.000,00 EUR")
    assert not Transaction.objects.exists()
    page.get_by_role("button", name=vi("Confirm and write")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        vi("Written: %(created)s records created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": 2, "updated": 0, "unchanged": 0}
    )
    assert sorted(item.transactions.values_list("currency__code", "amount")) == [
        ("EUR", Decimal("5000.00")),
        ("USD", Decimal("12000.00")),
    ]
    euros = item.transactions.get(currency__code="EUR")

    # The office corrects an amount in the aid list's export and uploads it: one row changed, valued again.
    page.goto(reverse("aid:list"))
    with page.expect_download() as download:
        page.locator(f'a[href^="{reverse("interop:excel_export", args=["transactions"])}"]').click()
    exported = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = exported.worksheets[0]
    [row] = [r for r in (3, 4) if get(sheet, r, "id") == str(euros.public_id)]
    fill_row(sheet, row, amount=5500)
    corrected = save(exported)
    page.goto(reverse("interop:excel_upload"))
    upload_excel(page, corrected, kind="transactions")
    expect(page.locator("#excel-preview tbody tr")).to_have_count(1)
    expect(page.locator("#excel-preview tbody tr")).to_contain_text("5.500,00 EUR")
    expect(page.locator("#excel-preview tbody tr")).to_contain_text(vi("Amount"), ignore_case=True)  # what changes
    snap(page, "guide-excel-transactions")
    page.get_by_role("button", name=vi("Confirm and write")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        vi("Written: %(created)s records created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": 0, "updated": 1, "unchanged": 1}
    )
    before_usd = euros.amount_usd
    euros.refresh_from_db()
    assert (euros.amount, euros.version) == (Decimal("5500.00"), 2)
    assert abs(euros.amount_usd - before_usd * Decimal("1.1")) <= Decimal("0.01")  # valued again

    # The same file again: nothing to write.
    page.goto(reverse("interop:excel_upload"))
    upload_excel(page, corrected, kind="transactions")
    expect(page.locator(".alert-info")).to_contain_text(
        vi(
            "Confirming will create %(created)s records, update %(updated)s and leave %(unchanged)s unchanged, "
            "all at once."
        )
        % {"created": 0, "updated": 0, "unchanged": 2}
    )
    assert Transaction.objects.count() == 2


def list_values(workbook: Any) -> dict[str, list[str]]:
    """The drop-downs' values of a template, by list (the hidden Lists sheet: a list's key in row 1)."""
    lists = workbook.worksheets[-1]
    return {
        column[0].value: [cell.value for cell in column[1:] if cell.value]
        for column in lists.iter_cols()
        if column[0].value
    }


def save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_excel(page: Any, data: bytes, *, kind: str = "aid_items") -> None:
    """Upload a workbook from the upload page and wait for its check to finish (the bar at 100 %)."""
    from playwright.sync_api import expect

    page.select_option("#id_kind", kind)
    name = {"aid_items": "vien-tro.xlsx", "transactions": "giao-dich.xlsx"}[kind]
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
    page.get_by_role("button", name=vi("Check the file")).click()
    expect(page.locator("#run-progress .progress-bar")).to_have_text("100 %")


def test_an_iati_file_uploaded_shows_its_progress_until_the_import_report(
    page: Any, live_server: Any, settings: Any
) -> None:
    """The import runs in a task worker, as in an office (not at once in the request, as in the other tests): the
    run's page shows the bar moving while the file waits and is imported, then, without a reload by the user, the
    counts and the report with the skipped activity's line."""
    from django_tasks_db.management.commands.db_worker import Worker
    from playwright.sync_api import expect

    from amity.interop.tests.test_iati_import import activity, iati_file

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    content = iati_file(
        activity("XM-DAC-41114-VN-001", title="Nước sạch cho trường học"),
        activity("XM-DAC-41114-VN-BAD", sectors='<sector vocabulary="1" code="99999" percentage="100"/>'),
    )
    sign_in_as(page, editor(), live_server)
    page.goto(reverse("interop:runs"))
    page.locator(f'a[href="{reverse("interop:iati_import")}"]').click()
    expect(page.locator("#id_province")).to_have_value(str(province("31").pk))  # the editor's one province
    page.set_input_files("#id_file", files=[{"name": "donor.xml", "mimeType": "text/xml", "buffer": content}])
    page.get_by_role("button", name=vi("Import")).click()

    # Queued: the bar runs and the page asks for the progress every second.
    bar = page.locator("#run-progress .progress-bar")
    expect(bar).to_have_class(re.compile("progress-bar-animated"))
    expect(page.locator("#run-progress")).to_contain_text(vi("Queued"))
    snap(page, "guide-iati-progress")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and not AidItem.objects.exists()

    # A worker takes the task. On SQLite the live server shares this thread's database connection, so the page's
    # requests for the progress are held (a routed request waits for this thread to pass it on) while it runs.
    progress_url = reverse("interop:run_progress", args=[run.public_id])
    page.route(f"**{progress_url}", lambda route: route.continue_())
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    worker.run()

    expect(bar).to_have_text("100 %")  # the page reloaded itself once the import was done
    expect(bar).not_to_have_class(re.compile("progress-bar-animated"))
    counts = page.locator("#run-counts")
    expect(counts.locator(".col").nth(0)).to_contain_text("1")
    expect(counts.locator(".col").nth(3)).to_contain_text("1")  # skipped
    report = page.locator("#run-report")
    expect(report).to_contain_text("XM-DAC-41114-VN-BAD")
    expect(report).to_contain_text("99999")
    snap(page, "guide-iati-report")
    run.refresh_from_db()
    assert (run.status, run.created_count, run.skipped_count) == (ImportStatus.DONE, 1, 1)
    assert AidItem.objects.get().iati_identifier == "XM-DAC-41114-VN-001"

    # The report as CSV, for the office's files.
    with page.expect_download() as download:
        page.locator(f'a[href="{reverse("interop:run_report", args=[run.public_id])}"]').click()
    assert "XM-DAC-41114-VN-BAD" in download.value.path().read_text(encoding="utf-8-sig")


def fill_aid_item_row(worksheet: Any, **values: str) -> None:
    """Write `values` into the first data row of an aid item template, by the hidden key row."""
    fill_row(worksheet, 3, **values)


def fill_row(worksheet: Any, row: int, **values: Any) -> None:
    """Write `values` into a data row of a template, by the hidden key row."""
    from amity.interop.tests.test_excel import put

    put(worksheet, row, **values)


def test_the_location_picker_finds_names_without_accents_and_warns_outside_the_users_provinces(
    page: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    from amity.reference.models import AdministrativeUnit

    sign_in_as(page, editor(), live_server)
    page.goto(reverse("aid:add"))
    field = page.locator("#id_locations-0-unit")
    field.fill("tan an")  # typed without accents, longer than a code
    options = page.locator("#aid-unit-options option")
    expect(options.first).to_have_text("Xã Tân An — Hải Phòng")  # the editor's province first
    expect(page.locator("#aid-unit-options")).to_contain_text(
        "Xã Tân An — Tuyên Quang · " + vi("outside your provinces")
    )

    elsewhere = AdministrativeUnit.objects.get(era="2025", name_vi="Tân An", province__code="08")
    field.fill(elsewhere.code)  # as when the suggestion is picked
    expect(page.locator("#id_locations-0-unit-hint .aid-outside-warning")).to_contain_text("Tuyên Quang")

    fill_and_save_aid_item(page, title="Nhà văn hóa thôn Tân An", sector="11220")
    expect(page.locator("#locations-errors")).to_contain_text("Tuyên Quang")  # not saved without a word
    assert not AidItem.objects.exists()

    page.locator("#id_locations-outside-confirmed").check()
    page.get_by_role("button", name=vi("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    assert [loc.unit for loc in AidItem.objects.get().locations.all()] == [elsewhere]


def test_an_aid_item_submitted_then_approved_counts_on_the_dashboard_and_links_to_it(
    page: Any, live_server: Any
) -> None:
    """The editor records an item with two sectors (found with the sector picker's search box) and two locations
    (a commune found by name with the location picker, and the whole province), adds two transactions in two
    currencies and submits it; the approver signs in through both steps (password, then the authenticator code:
    the second factor is part of the workflow) and approves it; the dashboard's disbursed figure changes and opens
    the item."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from amity.accounts.tests.test_two_factor import code
    from amity.reference.models import Currency

    hai_phong = province("31")
    user = editor()
    sign_in_as(page, user, live_server)
    page.goto(reverse("aid:add"))
    page.select_option("#id_modality", "project")
    page.fill("#id_title_vi", "Trạm y tế xã Thành Đông")
    page.select_option("#id_owning_province", value=str(hai_phong.pk))
    pick_sector(page, 0, "suc khoe co ban", "12220", "60")  # "Chăm sóc sức khỏe cơ bản", typed without accents
    page.locator('[data-formset-add="sectors"]').click()
    pick_sector(page, 1, "14030", "14030", "40")
    commune = page.locator("#id_locations-0-unit")
    commune.fill("thanh dong")
    suggestion = page.locator("#aid-unit-options option").first
    expect(suggestion).to_contain_text("Hải Phòng")  # the editor's province first, named beside the unit
    commune.fill(suggestion.get_attribute("value") or "")  # as when the suggestion is picked
    page.fill("#id_locations-0-percentage", "50")
    page.locator('[data-formset-add="locations"]').click()
    page.fill("#id_locations-1-unit", "31")
    page.fill("#id_locations-1-percentage", "50")
    snap(page, "guide-aid-item-two-sectors")
    page.get_by_role("button", name=vi("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    item = AidItem.objects.get()
    assert sorted((s.sector.code, s.percentage) for s in item.sectors.all()) == [("12220", 60), ("14030", 40)]
    located = sorted((loc.unit.level, loc.current_province.code, loc.percentage) for loc in item.locations.all())
    assert located == [("commune", "31", 50), ("province", "31", 50)]
    for amount, currency in (("12000", "USD"), ("5000", "EUR")):
        page.locator(f'a[href="{reverse("aid:transaction_add", args=[item.public_id])}"]').click()
        page.select_option("#id_transaction_type", "3")  # disbursement, dated today
        page.fill("#id_amount", amount)
        page.select_option("#id_currency", value=str(Currency.objects.get(code=currency).pk))
        snap(page, "guide-transaction")
        page.get_by_role("button", name=vi("Save")).click()
        expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    assert sorted(item.transactions.values_list("currency__code", flat=True)) == ["EUR", "USD"]
    page.locator(f'a[href="{reverse("aid:lifecycle", args=[item.public_id, "submit"])}"]').click()
    page.get_by_role("button", name=vi("Submit for appraisal")).click()
    expect(page.locator(".alert-success")).to_be_visible()

    approver = make_user("approver", Role.PROVINCIAL_APPROVER, (hai_phong,))
    device = TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    page.context.clear_cookies()  # the editor signs out
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", approver.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=vi("Log in")).click()
    page.fill("#id_token", code(device))
    snap(page, "guide-sign-in-code")
    page.get_by_role("button", name=vi("Verify")).click()
    expect(page.locator(f'form[action="{reverse("accounts:logout")}"]')).to_be_attached()

    disbursed = page.locator(".amity-headline").first.locator("a.fs-3")
    page.goto(reverse("reports:dashboard"))
    before = disbursed.inner_text()
    page.goto(item.get_absolute_url())
    page.locator(f'a[href="{reverse("aid:lifecycle", args=[item.public_id, "approve"])}"]').click()
    page.fill("#id_decision_number", "15/QĐ-UBND")
    page.fill("#id_decision_date", timezone.localdate().isoformat())
    page.fill("#id_decision_authority", "Chủ tịch UBND thành phố Hải Phòng")
    snap(page, "guide-approve")
    page.get_by_role("button", name=vi("Approve")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    item.refresh_from_db()
    assert item.status == AidStatus.APPROVED

    page.goto(reverse("reports:dashboard"))
    expect(disbursed).not_to_have_text(before)
    snap(page, "guide-dashboard")
    disbursed.click()
    expect(page.locator(f'a[href="{item.get_absolute_url()}"]').first).to_be_visible()
    snap(page, "guide-aid-list")
    page.locator(f'a[href="{item.get_absolute_url()}"]').first.click()
    expect(page.locator("h1")).to_contain_text("Trạm y tế xã Thành Đông")


def pick_sector(page: Any, row: int, search: str, code: str, percentage: str) -> None:
    """The sector picker of a sector row: typed into its search box, the first match picked with Enter."""
    from playwright.sync_api import expect

    select = page.locator(f"#id_sectors-{row}-sector")
    search_box = select.locator("xpath=preceding-sibling::input[@type='search']")
    search_box.fill(search)
    search_box.press("Enter")
    expect(select.locator("option:checked")).to_contain_text(code)
    page.fill(f"#id_sectors-{row}-percentage", percentage)


def test_a_save_over_a_colleagues_newer_save_shows_the_conflict_and_keeps_the_input(
    page: Any, live_server: Any
) -> None:
    """Two editors of the province open the same aid item's form; the colleague saves first; the second save is
    refused with the conflict screen (what was saved meanwhile beside the user's input), and saving again works."""
    from playwright.sync_api import expect

    from amity.aid.tests.factories import make_aid_item

    user = editor()
    colleague = make_user("colleague", Role.PROVINCIAL_EDITOR, (province("31"),))
    item = make_aid_item(user, owning_province=province("31"), title="Cầu treo bản Mường")
    edit = reverse("aid:edit", args=[item.public_id])
    sign_in_as(page, user, live_server)
    page.goto(edit)

    other, violations = new_context(page.context.browser, live_server)
    try:
        other_page = other.new_page()
        sign_in_as(other_page, colleague, live_server)
        other_page.goto(edit)
        other_page.fill("#id_title_vi", "Cầu treo bản Mường Lát")
        other_page.get_by_role("button", name=vi("Save")).click()
        expect(other_page.locator(".alert-success")).to_contain_text(vi("Saved."))
    finally:
        other.close()
    assert_no_csp_violation(violations)

    page.fill("#id_title_vi", "Cầu treo dân sinh bản Mường")
    page.get_by_role("button", name=vi("Save")).click()
    conflict = page.locator(".alert-warning[role=alert]")
    expect(conflict).to_contain_text(vi("Someone else changed this aid item while you were editing it"))
    expect(conflict.locator(".amity-conflict")).to_contain_text("Cầu treo bản Mường Lát")  # saved meanwhile
    expect(conflict.locator(".amity-conflict td.table-warning")).to_contain_text("Cầu treo dân sinh bản Mường")
    expect(page.locator("#id_title_vi")).to_have_value("Cầu treo dân sinh bản Mường")  # the input is kept
    expect(page.locator("h1")).to_contain_text("Cầu treo bản Mường Lát")  # the heading names what is stored
    expect(page.locator("h1")).not_to_contain_text("dân sinh")
    item.refresh_from_db()
    assert item.title_vi == "Cầu treo bản Mường Lát"
    snap(page, "conflict")

    page.get_by_role("button", name=vi("Save")).click()  # having compared, the user saves their version
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    item.refresh_from_db()
    assert item.title_vi == "Cầu treo dân sinh bản Mường"


def test_the_chosen_language_stays_across_pages_and_sign_out(page: Any, live_server: Any) -> None:
    """English picked on the sign-in page stays for the pages after signing in, the menus' links and the sign-in
    page after signing out (the choice is the browser's, kept in a cookie), and is the user's own: signing in on
    a browser without the cookie gives English again."""
    from playwright.sync_api import expect

    user = editor()
    page.goto(reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("form[action='/i18n/setlang/'] button.dropdown-toggle").click()
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in")  # still the sign-in page, now in English
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(f'form[action="{reverse("accounts:logout")}"]')).to_be_attached()

    for url in (reverse("aid:list"), reverse("organisations:list"), reverse("reports:dashboard")):
        page.locator(f'.navbar-nav a.nav-link[href="{url}"]').click()
        expect(page).to_have_url(live_server.url + url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("form[action='/i18n/setlang/'] button.dropdown-toggle span[lang]")).to_have_text("English")

    page.locator(f'.dropdown:has(form[action="{reverse("accounts:logout")}"]) > button.dropdown-toggle').click()
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(f'form[action="{reverse("accounts:logout")}"]')).not_to_be_attached()
    page.goto(reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in")

    # The choice was the user's too (User.language): signing in on a browser without the cookie applies it.
    user.refresh_from_db()
    assert user.language == "en"
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=vi("Log in")).click()
    expect(page.locator(f'form[action="{reverse("accounts:logout")}"]')).to_be_attached()
    expect(page.locator("html")).to_have_attribute("lang", "en")
