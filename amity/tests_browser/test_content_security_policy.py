"""Every page works under Amity's Content-Security-Policy: a tour of the pages of each kind (dashboards with their
charts and tooltips, lists, records, forms, imports and exports, the audit log, the two-factor set-up, the admin, the
API's documentation and browsable pages, error pages), each in Vietnamese and some in Arabic. The `page` fixture
fails the test on any violation the browser reports (conftest.watch_csp); here each page must also have drawn what
its scripts draw, so that a page whose script was blocked cannot pass by showing nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from amity.accounts.choices import Role
from amity.aid.models import AidItem
from amity.conftest import make_user
from amity.organisations.models import Organisation, Registration

from .conftest import sign_in_as, snap


def directives(policy: str) -> dict[str, set[str]]:
    """A Content-Security-Policy header as its directives, name → sources: compared as such, a check holds
    whatever order the directives and their sources come in, with or without a ";" after the last one."""
    parsed: dict[str, set[str]] = {}
    for directive in policy.split(";"):
        words = directive.split()
        if words:
            parsed[words[0].lower()] = set(words[1:])
    return parsed


def test_every_kind_of_page_runs_under_the_content_security_policy(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from amity.demo.register import demo_load

    demo_load()
    admin = make_user("admin", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    sign_in_as(page, admin, live_server)

    response = page.goto(reverse("reports:dashboard"))
    assert response is not None
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == {"'self'"} and policy["style-src"] == {"'self'"}
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & set().union(*policy.values())
    charts = page.locator(".amity-chart")
    expect(charts.first.locator("canvas")).to_be_attached()  # ECharts drew (its script ran)
    for index in range(charts.count()):  # every chart's tooltip (ECharts writes them as HTML)
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart.locator("canvas")).to_be_attached()
        box = chart.bounding_box()
        assert box is not None
        for fraction in (0.3, 0.5, 0.7):
            page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * fraction)
            page.wait_for_timeout(150)
        if index == 0:
            expect(page.locator(".amity-tooltip-row").first).to_be_visible()  # built by reports.js
            snap(page, "csp-chart-tooltip")
    assert int(page.locator(".amity-chart-h320").first.evaluate("e => e.getBoundingClientRect().height")) >= 320

    item = AidItem.objects.filter(transactions__isnull=False).first()
    organisation = Organisation.objects.filter(registrations__isnull=False).first()
    registration = Registration.objects.first()
    assert item and organisation and registration
    for url in (
        reverse("home"),
        reverse("reports:table") + "?rows=sector_category&columns=year",
        reverse("reports:published_list"),
        reverse("aid:list"),
        item.get_absolute_url(),
        reverse("aid:edit", args=[item.public_id]),
        reverse("aid:transaction_add", args=[item.public_id]),
        reverse("organisations:list"),
        organisation.get_absolute_url(),
        reverse("organisations:edit", args=[organisation.public_id]),
        reverse("organisations:registration_list"),
        reverse("organisations:watch"),
        registration.get_absolute_url(),
        reverse("reference:index"),
        reverse("reference:rates"),
        reverse("interop:runs"),
        reverse("interop:iati_import"),
        reverse("interop:excel_upload"),
        reverse("audit:events"),
        reverse("accounts:profile"),
        reverse("accounts:password_change"),
        "/no-such-page/",
    ):
        page.goto(url)
        expect(page.locator("h1").first).to_be_visible()

    # The searchable drop-downs and the formsets' "add a row" (amity.js, aid/formsets.js).
    page.goto(reverse("aid:edit", args=[item.public_id]))
    expect(page.locator("select[data-filter-ready]").first).to_be_attached()
    rows = page.locator("[data-formset-body=sectors] tr")
    count = rows.count()
    page.locator("[data-formset-add=sectors]").click()
    expect(rows).to_have_count(count + 1)

    # The authenticator's QR code (drawn by the server) on the set-up page.
    page.goto(reverse("accounts:two_factor_setup"))
    expect(page.locator("main img, main svg").first).to_be_visible()

    # The admin, the API's documentation (Swagger UI draws it from the schema) and its browsable pages.
    for url in (
        reverse("admin:index"),
        reverse("admin:aid_aiditem_changelist"),
        reverse("admin:aid_aiditem_change", args=[item.pk]),
        reverse("admin:accounts_user_changelist"),
    ):
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()
    page.goto(reverse("swagger-ui"))
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    response = page.goto("/api/v1/aid-items/", wait_until="load")
    assert response is not None
    policy = directives(response.headers["content-security-policy"])
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}  # this page alone
    assert policy["script-src"] == {"'self'"}
    expect(page.locator("body")).to_contain_text(str(item.public_id)[:8])

    # Right to left (Bootstrap's RTL stylesheet) and the sign-in page of a signed-out user.
    page.goto(reverse("home"))
    page.locator("form[action='/i18n/setlang/'] button.dropdown-toggle").click()
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(reverse("reports:dashboard"))
    expect(page.locator(".amity-chart canvas").first).to_be_attached()
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    expect(page.locator("#id_username")).to_be_visible()
