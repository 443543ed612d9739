"""The province map (`province_map`): colour classes of the figures, titles, links, the legend, what no province
has, and a report by the 63 old provinces drawn on the provinces they merged into."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from amity.reports.province_map import _level, _levels, report_province_map
from amity.reports.selectors import Key, ReportResult, Row
from amity.reports.spec import Dimension, Measure, spec_from_params

pytestmark = pytest.mark.django_db

D = Decimal


def result(era: str, rows: list[tuple[str | None, str, str]]) -> ReportResult:
    spec = spec_from_params({"group_by": "province", "era": era, "measures": "disbursed"})
    return ReportResult(
        spec=spec,
        rows=[
            Row(keys=(Key(Dimension.PROVINCE, code, label),), values={Measure.DISBURSED: D(value)})
            for code, label, value in rows
        ],
        totals={Measure.DISBURSED: sum((D(value) for _c, _l, value in rows), D(0))},
        basis_label="",
    )


def test_the_classes_are_quantiles_of_the_figures_other_than_zero() -> None:
    bounds = _levels([D(1), D(2), D(3), D(4), D(5), D(100)])
    assert bounds == [D(2), D(3), D(4), D(5), D(100)]
    assert [_level(value, bounds) for value in (D(0), D(1), D(3), D(100))] == [0, 1, 2, 5]
    assert _levels([D(7), D(7)]) == [D(7)]  # one figure: one class
    assert _levels([]) == []


def test_a_report_by_current_province_colours_titles_and_links_each_province() -> None:
    report = result("2025", [("31", "Hải Phòng", "1000"), ("14", "Sơn La", "10"), (None, "Nationwide", "5")])
    with translation.override("en"):
        drawn = report_province_map(report, Measure.DISBURSED, map_id="m", title="t", link=lambda c: f"/p/{c}")
    assert drawn is not None
    areas = {area.code: area for area in drawn.areas}
    assert len(areas) == 34
    assert areas["31"].level > areas["14"].level > 0 and areas["01"].level == 0
    assert areas["31"].title == "Hai Phong: 1,000.00 USD" and areas["31"].link == "/p/31"
    assert areas["01"].title == "Ha Noi: no figure"
    assert drawn.outside == "Nationwide: 5.00 USD"
    assert [entry.label for entry in drawn.legend] == ["No figure", "up to USD 10.00", "USD 10.00 to USD 1,000.00"]
    assert [text for _x, _y, text in drawn.labels] == ["Hoàng Sa archipelago", "Trường Sa archipelago"]


def test_without_a_link_a_province_opens_the_aid_items_behind_its_figure() -> None:
    report = result("2025", [("31", "Hải Phòng", "1000")])
    report.rows[0].link = "/aid/?province=31"
    drawn = report_province_map(report, Measure.DISBURSED, map_id="m", title="t")
    assert drawn is not None
    links = {area.code: area.link for area in drawn.areas}
    assert links["31"] == "/aid/?province=31" and links["14"] == ""  # no figure, nothing behind it


def test_old_provinces_are_summed_on_the_province_they_merged_into() -> None:
    report = result("pre2025", [("30", "Hải Dương", "500"), ("31", "Hải Phòng", "200"), ("14", "Sơn La", "1")])
    with translation.override("en"):
        drawn = report_province_map(report, Measure.DISBURSED, map_id="m", title="t", link=lambda c: c)
    assert drawn is not None
    areas = {area.code: area for area in drawn.areas}
    assert areas["31"].title == "Hai Phong: 700.00 USD (Hải Dương: 500.00 USD; Hải Phòng: 200.00 USD)"
    assert areas["14"].title == "Son La: 1.00 USD (Sơn La: 1.00 USD)"
    assert "63 provinces before 1 July 2025" in drawn.note


def test_a_report_not_grouped_by_province_alone_has_no_map() -> None:
    report = result("2025", [])
    report.spec = spec_from_params({"group_by": "province,year"})
    assert report_province_map(report, Measure.DISBURSED, map_id="m", title="t") is None


def test_the_map_is_inline_svg_small_and_with_no_style_attribute(rf: Any) -> None:
    report = result("2025", [("31", "Hải Phòng", "1000")])
    drawn = report_province_map(report, Measure.DISBURSED, map_id="m", title="t", link=lambda c: f"/f/{c}")
    html = render_to_string("reports/_province_map.html", {"province_map": drawn})
    assert len(html.encode()) < 60_000
    assert html.count("<title>") == 34 and html.count('<a href="/f/') == 34
    assert "style=" not in html and "<script" not in html  # the Content-Security-Policy allows neither
