"""Official figures count aid from its approval on (DESIGN.md invariant 11): proposed, appraised, rejected,
cancelled and revoked aid is counted only when a report asks for every status, and then the report says so —
on the pages, in the exports, in the API and in published reports, which record their status basis."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from amity.aid import services as aid_services
from amity.aid.choices import OFFICIAL_STATUSES, AidStatus
from amity.aid.tests.factories import approve, make_aid_item, make_transaction
from amity.conftest import client_for
from amity.reports.models import PublishedReport
from amity.reports.rollups import rollup_grain
from amity.reports.selectors import report
from amity.reports.services import content_hash, published_is_intact, report_publish
from amity.reports.spec import Measure, ReportSpec, SpecError, StatusBasis, spec_from_params

pytestmark = pytest.mark.django_db

D = Decimal
DASHBOARD = reverse("reports:dashboard")
TABLE = reverse("reports:table")
EXPORT = reverse("reports:export")
REPORTS_API = "/api/v1/reports/"
PUBLISHED_API = "/api/v1/published-reports/"
OFFICIAL_LABEL = "approved aid (approved, in progress, completed, closed)"
ALL_LABEL = "aid of every status, unapproved aid included"


def spec(**params: str) -> ReportSpec:
    return spec_from_params(params)


def as_user(user: Any) -> Any:
    client = client_for(user)
    client.cookies["amity_language"] = "en"
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["amity_language"] = "en"
    return client


@pytest.fixture
def aid(users: dict[str, Any], hai_phong: Any) -> SimpleNamespace:
    """Hải Phòng in 2023: approved aid that disbursed USD 1,000 and a proposal (not even submitted) that
    recorded a disbursement of USD 300."""
    approved = approve(users["admin"], make_aid_item(users["admin"], owning_province=hai_phong, title="Trường học"))
    proposed = make_aid_item(users["admin"], owning_province=hai_phong, title="Đề xuất")
    make_transaction(users["admin"], approved, kind="3", amount="1000.00")
    make_transaction(users["admin"], proposed, kind="3", amount="300.00")
    return SimpleNamespace(approved=approved, proposed=proposed)


def disbursed(user: Any, **params: str) -> Decimal:
    return report(user, spec(measures="disbursed", **params)).totals[Measure.DISBURSED]


# --- the rule -------------------------------------------------------------------------------------------------------


def test_official_statuses_are_those_from_approval_on() -> None:
    assert {AidStatus(status) for status in OFFICIAL_STATUSES} == {
        AidStatus.APPROVED,
        AidStatus.IN_PROGRESS,
        AidStatus.COMPLETED,
        AidStatus.CLOSED,
    }
    assert ReportSpec().statuses == StatusBasis.OFFICIAL


def test_proposed_aid_is_not_counted_on_the_province_dashboard(users, aid):
    response = as_user(users["editor"]).get(DASHBOARD, {"year": "2023"})

    assert response.status_code == 200
    board = response.context["board"]
    assert board.year_cards[0].comparison.measure == Measure.DISBURSED
    assert board.year_cards[0].comparison.current == D("1000.00")
    assert [row.value(Measure.DISBURSED) for row in board.provinces.rows] == [D("1000.00")]
    html = response.content.decode()
    assert html.count(OFFICIAL_LABEL) >= 7  # the scope line, the two year cards and the five figure blocks
    assert ALL_LABEL not in html


def test_proposed_aid_is_not_counted_on_the_national_dashboard(users, aid):
    board = as_user(users["central"]).get(DASHBOARD, {"year": "2023"}).context["board"]

    assert board.years.totals[Measure.DISBURSED] == D("1000.00")
    assert board.sectors.totals[Measure.DISBURSED] == D("1000.00")
    assert board.donors.totals[Measure.DISBURSED] == D("1000.00")


def test_every_status_before_approval_or_after_its_end_is_left_out_of_official_figures(users, hai_phong):
    admin = users["admin"]
    on = date(2023, 1, 16)

    def item(status: str) -> Any:
        made = make_aid_item(admin, owning_province=hai_phong, title=status)
        make_transaction(admin, made, kind="3", amount="100.00", on=date(2023, 6, 1))
        return made

    item(AidStatus.PROPOSED)
    aid_services.aid_item_submit_for_appraisal(aid_item=item(AidStatus.UNDER_APPRAISAL), user=admin, received_on=on)
    rejected = item(AidStatus.REJECTED)
    aid_services.aid_item_submit_for_appraisal(aid_item=rejected, user=admin, received_on=on)
    aid_services.aid_item_reject(aid_item=rejected, user=admin, reason="Hồ sơ không đạt")
    aid_services.aid_item_cancel(aid_item=item(AidStatus.CANCELLED), user=admin, reason="Nhà tài trợ rút")
    aid_services.aid_item_revoke_approval(
        aid_item=approve(admin, item(AidStatus.APPROVAL_REVOKED), on=on), user=admin, reason="Không khởi công"
    )
    approve(admin, item(AidStatus.APPROVED), on=on)
    in_progress = approve(admin, item(AidStatus.IN_PROGRESS), on=on)
    aid_services.aid_item_start(aid_item=in_progress, user=admin, started_on=on)
    completed = approve(admin, item(AidStatus.COMPLETED), on=on)
    aid_services.aid_item_start(aid_item=completed, user=admin, started_on=on)
    aid_services.aid_item_complete(aid_item=completed, user=admin, ended_on=date(2023, 12, 1))
    closed = approve(admin, item(AidStatus.CLOSED), on=on)
    aid_services.aid_item_start(aid_item=closed, user=admin, started_on=on)
    aid_services.aid_item_complete(aid_item=closed, user=admin, ended_on=date(2023, 12, 1))
    aid_services.aid_item_close(aid_item=closed, user=admin)

    def statuses(basis: str) -> set[str]:
        result = report(users["central"], spec(group_by="status", measures="disbursed", statuses=basis))
        return {row.keys[0].value for row in result.rows}

    assert statuses("all") == set(AidStatus.values)
    assert statuses("official") == set(OFFICIAL_STATUSES)
    assert disbursed(users["central"]) == D("400.00")
    assert disbursed(users["central"], statuses="all") == D("900.00")


def test_report_with_all_statuses_counts_proposed_aid_and_says_so(users, aid):
    response = as_user(users["central"]).get(TABLE, {"year": "2023", "statuses": "all", "group_by": "province"})

    assert response.status_code == 200
    result = response.context["result"]
    assert result.totals[Measure.DISBURSED] == D("1300.00")
    assert result.status_basis_label == ALL_LABEL
    html = response.content.decode()
    assert html.count(ALL_LABEL) == 2  # in the parameters and beside the figures
    assert OFFICIAL_LABEL not in html
    official = as_user(users["central"]).get(TABLE, {"year": "2023", "group_by": "province"})
    assert official.context["result"].totals[Measure.DISBURSED] == D("1000.00")
    assert OFFICIAL_LABEL in official.content.decode()


def test_the_dashboard_with_all_statuses_says_so_beside_every_figure(users, aid):
    response = as_user(users["editor"]).get(DASHBOARD, {"year": "2023", "statuses": "all"})

    assert response.context["board"].year_cards[0].comparison.current == D("1300.00")
    html = response.content.decode()
    blocks = html.count('class="card h-100 amity-figure"')
    headlines = html.count('class="card h-100 amity-headline"')
    assert html.count(ALL_LABEL) >= blocks + headlines + 1 == 8
    assert OFFICIAL_LABEL not in html


def test_the_status_basis_travels_in_the_url_parameters():
    every_status = spec(statuses="all", year="2023")

    assert every_status.statuses == StatusBasis.ALL
    assert every_status.to_params()["statuses"] == "all"
    assert spec_from_params(every_status.to_params()) == every_status
    assert ReportSpec().to_params()["statuses"] == "official"  # stated, so that a published report records it


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"statuses": "approved"}, "statuses"),
        ({"statuses": "everything"}, "statuses"),
        ({"status": "proposed"}, "status"),  # not counted on the official basis: ask for every status
    ],
)
def test_a_bad_status_basis_names_the_parameter(params, named):
    with pytest.raises(SpecError) as raised:
        spec_from_params(params)
    assert set(raised.value.errors) == {named}


def test_a_status_outside_approval_is_reported_on_the_all_statuses_basis(users, aid):
    assert disbursed(users["central"], status="proposed", statuses="all") == D("300.00")
    assert disbursed(users["central"], status="approved") == D("1000.00")


def test_official_figures_link_to_the_approved_aid_behind_them(users, aid):
    client = as_user(users["central"])
    for basis, titles in (("official", ["Trường học"]), ("all", ["Trường học", "Đề xuất"])):
        result = report(users["central"], spec(group_by="province", year="2023", statuses=basis))
        listed = client.get(result.rows[0].link)
        assert listed.status_code == 200
        assert sorted(item.title_vi for item in listed.context["object_list"]) == sorted(titles), basis
        assert sorted(item.title_vi for item in client.get(result.total_link).context["object_list"]) == sorted(titles)


# --- the rollups ----------------------------------------------------------------------------------------------------


def test_approving_or_cancelling_aid_changes_the_official_figures_at_once(users, aid):
    year = spec(measures="disbursed", year="2023")
    assert rollup_grain(users["central"], year) is not None  # whole-year money figures: from the rollups
    assert rollup_grain(users["central"], spec(measures="disbursed", year="2023", statuses="all")) is not None

    approve(users["admin"], aid.proposed)
    assert disbursed(users["central"], year="2023") == D("1300.00")

    aid_services.aid_item_cancel(aid_item=aid.approved, user=users["admin"], reason="Nhà tài trợ rút")
    assert disbursed(users["central"], year="2023") == D("300.00")
    assert disbursed(users["central"], year="2023", statuses="all") == D("1300.00")


# --- publishing -----------------------------------------------------------------------------------------------------


def test_published_report_records_its_status_basis(users, aid):
    with translation.override("en"):
        official = report_publish(user=users["approver"], spec=spec(province="31", year="2023"), title="Chính thức")
        pipeline = report_publish(
            user=users["approver"], spec=spec(province="31", year="2023", statuses="all"), title="Mọi trạng thái"
        )

    assert (official.parameters["statuses"], official.figures["status_basis"]) == ("official", OFFICIAL_LABEL)
    assert (pipeline.parameters["statuses"], pipeline.figures["status_basis"]) == ("all", ALL_LABEL)
    assert official.figures["totals"]["disbursed"] == "1000.00"
    assert pipeline.figures["totals"]["disbursed"] == "1300.00"
    # Part of the stored parameters, so of the content hash.
    PublishedReport.objects.filter(pk=official.pk).update(parameters={**official.parameters, "statuses": "all"})
    official.refresh_from_db()
    assert not published_is_intact(official)

    page = as_user(users["viewer"]).get(pipeline.get_absolute_url(), {"compare": "1"})
    assert page.status_code == 200
    assert not page.context["changed"]  # the live figures are computed on the same basis
    assert ("Status basis", ALL_LABEL) in page.context["summary"]
    assert page.content.decode().count(ALL_LABEL) >= 2

    body = api(users["viewer"]).get(f"{PUBLISHED_API}{pipeline.public_id}/").json()
    assert body["status_basis"] == ALL_LABEL
    assert body["parameters"]["statuses"] == "all"


def published_before_the_status_basis(users: dict[str, Any]) -> PublishedReport:
    """A report as published before reports had a status basis: its parameters do not name one, its figures
    counted every status (here the approved and the proposed aid of Hải Phòng, USD 1,300)."""
    parameters = {
        "measures": "disbursed",
        "era": "2025",
        "currency": "USD",
        "basis": "value_date",
        "date_from": "2023-01-01",
        "date_to": "2023-12-31",
        "province": "31",
    }
    figures = {
        "currency": "USD",
        "basis": "value-date rates (finest loaded, else the year's average)",
        "measures": ["disbursed"],
        "dimensions": [],
        "rows": [],
        "totals": {"disbursed": "1300.00"},
        "notes": [],
    }
    return PublishedReport.objects.create(
        title="Hải Phòng 2023",
        province=users["approver"].jurisdictions.get(),
        parameters=parameters,
        figures=figures,
        content_hash=content_hash(parameters, figures),
        published_by=users["approver"],
        published_at=timezone.now(),
    )


def test_a_report_published_before_the_status_basis_keeps_its_figures_and_counted_every_status(users, aid):
    published = published_before_the_status_basis(users)
    frozen = (dict(published.parameters), dict(published.figures), published.content_hash)

    page = as_user(users["viewer"]).get(published.get_absolute_url(), {"compare": "1"})

    assert page.status_code == 200
    assert page.context["intact"]
    assert ("Status basis", ALL_LABEL) in page.context["summary"]
    assert page.context["live"].totals[Measure.DISBURSED] == D("1300.00")  # compared on its own basis
    assert not page.context["changed"]
    assert "statuses=all" in page.context["table_link"]
    assert api(users["viewer"]).get(f"{PUBLISHED_API}{published.public_id}/").json()["status_basis"] == ALL_LABEL
    lines = list(csv.reader(io.StringIO(export(users["viewer"], "csv", published=str(published.public_id)))))
    assert ["Status basis", ALL_LABEL] in lines
    published.refresh_from_db()
    assert (published.parameters, published.figures, published.content_hash) == frozen


# --- exports and the API --------------------------------------------------------------------------------------------


def export(user: Any, fmt: str, **params: str) -> Any:
    response = as_user(user).get(EXPORT, {"format": fmt, **params})
    assert response.status_code == 200, response.content
    return response.content.decode("utf-8-sig") if fmt == "csv" else response.content


def test_the_status_basis_label_is_on_the_xlsx_cover(users, aid):
    for basis, label in (("all", ALL_LABEL), ("official", OFFICIAL_LABEL)):
        workbook = openpyxl.load_workbook(io.BytesIO(export(users["central"], "xlsx", year="2023", statuses=basis)))
        cover = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        assert ("Status basis", label) in cover, basis
        totals = list(workbook.worksheets[1].iter_rows(values_only=True))[-1]
        assert D(repr(totals[2])) == (D("1300") if basis == "all" else D("1000")), basis


def test_the_status_basis_label_is_in_the_docx_report(users, aid):
    with translation.override("vi"):  # the official document is in Vietnamese
        every_status = str(StatusBasis.ALL.label)
        official = str(StatusBasis.OFFICIAL.label)
        sentence = translation.gettext("The figures count %(statuses)s.")

    def text(**params: str) -> str:
        document = docx.Document(io.BytesIO(export(users["central"], "docx", **params)))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)

    assert sentence % {"statuses": every_status} in text(statuses="all")
    assert official not in text(statuses="all")
    assert sentence % {"statuses": official} in text()
    assert every_status not in text()


def test_the_status_basis_is_a_line_of_the_csv_and_part_of_its_name(users, aid):
    response = as_user(users["central"]).get(EXPORT, {"format": "csv", "statuses": "all", "year": "2023"})

    assert response["Content-Disposition"].endswith('-value-date-all-statuses.csv"')
    assert ["Status basis", ALL_LABEL] in list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    official = as_user(users["central"]).get(EXPORT, {"format": "csv", "year": "2023"})
    assert official["Content-Disposition"].endswith('-value-date.csv"')


def test_report_api_takes_the_status_basis_and_states_it(users, aid):
    official = api(users["central"]).get(REPORTS_API, {"year": "2023", "measures": "disbursed"}).json()
    every_status = api(users["central"]).get(REPORTS_API, {"year": "2023", "statuses": "all"}).json()

    assert (official["totals"]["disbursed"], official["status_basis"]) == ("1000.00", OFFICIAL_LABEL)
    assert official["parameters"]["statuses"] == "official"
    assert (every_status["totals"]["disbursed"], every_status["status_basis"]) == ("1300.00", ALL_LABEL)
    assert every_status["parameters"]["statuses"] == "all"
    assert "statuses=all" in every_status["links"]["exports"]["xlsx"]


@pytest.mark.parametrize(
    ("params", "named"), [({"statuses": "approved"}, "statuses"), ({"status": "rejected"}, "status")]
)
def test_a_bad_status_basis_is_a_400_in_the_api(users, params, named):
    response = api(users["central"]).get(REPORTS_API, params)

    assert response.status_code == 400
    assert set(response.json()) == {named}


def test_the_schema_documents_the_status_basis(users):
    response = api(users["central"]).get("/api/schema/", {"format": "json"})

    parameters = {p["name"]: p for p in response.json()["paths"][REPORTS_API]["get"]["parameters"]}
    assert set(parameters["statuses"]["schema"]["enum"]) == {"official", "all"}
    assert "approval" in parameters["statuses"]["description"]


def test_a_bad_status_basis_is_a_400_on_the_pages(users):
    for url in (DASHBOARD, TABLE):
        response = as_user(users["central"]).get(url, {"statuses": "approved"})
        assert response.status_code == 400
        assert "result" not in response.context and "board" not in response.context
