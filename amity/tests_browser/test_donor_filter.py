"""The aid list's donor filter in a real browser: the words typed without diacritics refill the drop-down from the
server (amity.js, under the Content-Security-Policy), Enter picks the best match, and Filter lists its aid."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.aid.tests.factories import donor, make_aid_item
from amity.conftest import make_user, province

from .conftest import sign_in_as


def test_the_donor_filter_searches_as_one_types_and_filters_the_list(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    quy, other = donor("Quỹ Hòa Bình", acronym="QHB"), donor("Stichting Nederland", "NL")
    make_aid_item(editor, owning_province=province("31"), title="Giếng nước", participants=[(quy, "1")])
    make_aid_item(editor, owning_province=province("31"), title="Trạm y tế", participants=[(other, "1")])
    sign_in_as(page, editor, live_server)
    page.goto(live_server.url + reverse("aid:list"))
    options = page.locator("#id_donor option")
    expect(options).to_have_count(1)  # only "All": the donors are searched, never listed

    page.locator("#id_donor_search").fill("hoa binh")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_have_text("Quỹ Hòa Bình (QHB)")
    page.locator("#id_donor_search").press("Enter")  # picks the best match, does not send the form
    expect(page.locator("#id_donor")).to_have_value(str(quy.public_id))

    with translation.override("vi"):
        page.get_by_role("button", name=gettext("Filter")).click()
    expect(page).to_have_url(re.compile(f"[?&]donor={quy.public_id}(&|$)"))
    expect(page.locator("table")).to_contain_text("Giếng nước")
    expect(page.locator("table")).not_to_contain_text("Trạm y tế")
    expect(page.locator("#id_donor")).to_have_value(str(quy.public_id))  # chosen, after the page is sent
