"""The documents panel's link chooser in a real browser (core.forms.SearchSelect under the Content-Security-Policy):
typed without diacritics, the words refill the select from the server, Enter picks the best match, Link links it;
and with JavaScript turned off, the Search button leads to the chooser's own page, where the matches are chosen
and linked. The rule editor's "Check the effect" shows the counts by province in both cases too."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.aid.tests.factories import make_aid_item
from amity.conftest import make_user, province
from amity.documents.models import DocumentLink
from amity.documents.tests.factories import make_document
from amity.obligations.seed import duty_rules_seed
from amity.obligations.services import obligations_generate

from .conftest import assert_no_csp_violation, new_context, sign_in_as


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def _register(editor: Any) -> tuple[Any, Any, Any]:
    hai_phong = province("31")
    item = make_aid_item(editor, owning_province=hai_phong, title="Giếng nước sạch")
    wanted = make_document(editor, owning_province=hai_phong, title="Quyết định phê duyệt khoản viện trợ giếng nước")
    make_document(editor, owning_province=hai_phong, number_symbol="12/KH-UBND", title="Kế hoạch năm 2025")
    return item, wanted, hai_phong


def test_the_chooser_searches_as_one_types_and_links_the_document_picked(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    item, wanted, _hai_phong = _register(editor)
    sign_in_as(page, editor, live_server)
    page.goto(live_server.url + item.get_absolute_url())
    options = page.locator("#link-document option")
    expect(options).to_have_count(3)  # "—" and the two latest, listed at once
    expect(page.locator('button[name="document_search_go"]')).to_have_count(0)  # amity.js removed it

    page.locator("#link-document_search").fill("phe duyet gieng")
    expect(options).to_have_count(2)
    page.locator("#link-document_search").press("Enter")  # picks the best match, does not send the form
    expect(page.locator("#link-document")).to_have_value(str(wanted.public_id))
    page.get_by_role("button", name=vi("Link"), exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Linked."))
    assert [link.document_id for link in DocumentLink.objects.all()] == [wanted.pk]


def test_without_javascript_the_chooser_has_a_page_of_its_own(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    item, wanted, _hai_phong = _register(editor)
    context, violations = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, editor, live_server)
    page.goto(item.get_absolute_url())
    page.locator("#link-document_search").fill("phê duyệt giếng")
    page.locator('button[name="document_search_go"]').click()
    expect(page).to_have_url(re.compile(re.escape(reverse("documents:link_choose")) + r"\?.*q=ph"))
    choices = page.locator('input[type="radio"][name="document"]')
    expect(choices).to_have_count(1)
    choices.first.check()
    page.get_by_role("button", name=vi("Link"), exact=True).click()
    expect(page).to_have_url(live_server.url + item.get_absolute_url())
    expect(page.locator(".alert-success")).to_contain_text(vi("Linked."))
    assert [link.document_id for link in DocumentLink.objects.all()] == [wanted.pk]
    context.close()
    assert_no_csp_violation(violations)


def test_checking_a_rules_effect_shows_the_counts_by_province(browser: Any, live_server: Any) -> None:
    """With JavaScript (htmx polls until counted) and without (the preview's own page); the task worker is the
    tests' immediate backend, so the count is there at once."""
    from playwright.sync_api import expect

    duty_rules_seed()  # the flush between browser tests empties the rules loaded at migrate
    obligations_generate()
    central = make_user("central", Role.CENTRAL_OFFICER)
    for javascript in (True, False):
        context, violations = new_context(browser, live_server, java_script_enabled=javascript)
        page = context.new_page()
        sign_in_as(page, central, live_server)
        page.goto(reverse("obligations:rules"))
        page.locator('a[href$="/"]', has_text="Mẫu 04").first.click()
        page.get_by_role("link", name=vi("Edit")).click()
        page.fill("#id_due_day", "20")
        page.get_by_role("button", name=vi("Check the effect")).click()
        table = page.locator("#rule-effect-provinces")
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(34)  # every province owes Form 04
        table.locator("summary").first.click()  # a province's sample, without JavaScript too
        expect(table.locator("del").first).to_be_visible()  # the due date before the change
        expect(page.locator("#id_due_day")).to_have_value("20")  # the input stays
        assert "rule-effect-provinces" in page.content()
        context.close()
        assert_no_csp_violation(violations)
