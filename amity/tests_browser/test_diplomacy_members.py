"""Individual members of a friendship association, in a real browser: the province's staff add a member from the
association's page and find them there with the year's member count; a central officer reads the same page and
sees the count, never the name (personal data: `amity.diplomacy.personal`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.diplomacy import services
from amity.diplomacy.models import AssociationMember, Union, UnionUnit
from amity.diplomacy.services import Change
from amity.reference.models import AdministrativeUnit, Country

from .conftest import assert_no_csp_violation, new_context, sign_in_as, snap

NAME = "Nguyễn Thị Lan"


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_staff_add_a_member_and_a_central_officer_sees_the_count_not_the_name(
    page: Any, browser: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    central = make_user("central", Role.CENTRAL_OFFICER)
    old = AdministrativeUnit.objects.get(level="province", era="pre2025", code="30")
    union = services.record_save(
        model=Union, user=editor, data={"name": "Liên hiệp hữu nghị Hải Dương", "province": old}
    )
    association = services.record_save(
        model=UnionUnit,
        user=editor,
        data={
            "union": union,
            "kind": "association",
            "name": "Hội hữu nghị Việt Nam – Pháp",
            "partner_country": Country.objects.get(code="FR"),
        },
    )
    year = date.today().year
    services.units_save(user=editor, rows=[Change({}, association.pk, 1, parts=[{"year": year, "members": 40}])])

    # The province's editor adds a member from the association's page.
    sign_in_as(page, editor, live_server)
    page.goto(association.get_absolute_url())
    expect(page.locator("#members")).to_contain_text(vi("None recorded."))
    page.locator("#members").get_by_role("link", name=vi("Add a member")).click()
    expect(page.locator("#id_association")).to_have_value(str(association.pk))  # the association came along
    page.fill("#id_full_name", NAME)
    page.select_option("#id_gender", "female")
    page.fill("#id_birth_year", "1975")
    page.fill("#id_occupation", "Giáo viên, Trường THPT Chu Văn An")
    page.fill("#id_email", "lan@example.vn")
    page.fill("#id_joined_on", date(year, 1, 15).isoformat())
    page.get_by_role("button", name=vi("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    member = AssociationMember.objects.get()
    assert (member.full_name, member.association_id, member.owning_province.code) == (NAME, association.pk, "31")
    assert page.url.endswith(member.get_absolute_url())

    # Back on the association's page: the member by name, and the year's count recorded beside the declared one.
    page.goto(association.get_absolute_url())
    members = page.locator("#members table tbody tr")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text(NAME)
    expect(members.first.get_by_role("link", name=NAME)).to_have_attribute("href", member.get_absolute_url())
    this_year = page.locator(f'#members-by-year tr[data-year="{year}"] td')
    expect(this_year).to_have_text([str(year), "40", "1"])
    page.locator("#members-by-year").scroll_into_view_if_needed()
    snap(page, "guide-diplomacy-association-members")

    # A central officer: the counts, and a word on why there are no names; the name on no page of theirs.
    context, violations = new_context(browser, live_server, viewport={"width": 1280, "height": 800})
    officer = context.new_page()
    sign_in_as(officer, central, live_server)
    officer.goto(association.get_absolute_url())
    expect(officer.locator(f'#members-by-year tr[data-year="{year}"] td')).to_have_text([str(year), "40", "1"])
    expect(officer.locator("#members table")).to_have_count(0)
    why = (
        "Names and contacts of members are personal data, shown only to the staff of the province that keeps the "
        "association; others see the counts above."
    )
    expect(officer.locator("#members")).to_contain_text(vi(why))
    expect(officer.locator("body")).not_to_contain_text(NAME)
    expect(officer.get_by_role("link", name=vi("Add a member"))).to_have_count(0)
    officer.goto(member.get_absolute_url())
    expect(officer.locator("main")).to_be_visible()
    expect(officer.locator("body")).not_to_contain_text(NAME)
    expect(officer.locator("body")).not_to_contain_text("lan@example.vn")
    api = officer.context.request.get(reverse("diplomacy-association-member-detail", args=[member.public_id]))
    assert api.ok and api.json()["full_name"] is None and api.json()["joined_on"] == date(year, 1, 15).isoformat()
    context.close()
    assert_no_csp_violation(violations)
