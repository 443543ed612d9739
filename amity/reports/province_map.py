"""The province map: one figure by province as a choropleth drawn on the server, inline SVG
(`reports/_province_map.html`) — the one map of Amity, on the dashboard and on the public figures pages.

It works without JavaScript and under the Content-Security-Policy: each province is a shape with its name and
figure as its title, a link where the page gives one (the aid items behind the figure for staff, the province's
published reports for the public), coloured by a class of amity.css (five classes of the figures, quantiles, and
one for no figure); a legend says what each colour spans. `reports/province-map.js` only shows the titles as
tooltips as the pointer moves. Every page that draws the map shows the same figures as a table too.

Both eras. The outlines are the 34 current provinces (`reference.province_shapes`): no boundary set of the 63
provinces before 1 July 2025 has a clear licence (reference/data/NOTICE). Each of the 63 merged whole into one of
the 34 (`UnitMapping`), so a report by the old provinces is drawn on their successors: a shape shows the sum of its
former provinces — exact, as every figure of a report is an exactly allocated part — and its title names each
of them with its own figure; the map says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, UnitMapping
from amity.reference.province_shapes import shapes

from .selectors import ReportResult
from .spec import Dimension, Measure
from .templatetags.report_figures import figure, short_amount

CLASSES = 5

Number = Decimal | int | float


@dataclass(frozen=True)
class MapFigure:
    """A province's figure on the map: its value, as the page writes it, and for a report by the old provinces
    the former provinces it sums (name, figure as written)."""

    value: Decimal
    text: str
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MapArea:
    code: str  # the current province the shape is
    path: str
    title: str  # its name and figure: the shape's accessible name and tooltip
    level: int  # 0: no figure; 1 (lowest) to CLASSES: the colour class
    link: str = ""


@dataclass(frozen=True)
class LegendEntry:
    level: int
    label: str


@dataclass(frozen=True)
class ProvinceMap:
    id: str
    title: str
    view_box: str
    areas: list[MapArea]
    legend: list[LegendEntry]
    labels: list[tuple[int, int, str]] = field(default_factory=list)  # the archipelagos' names (x, y, text)
    outside: str = ""  # what no province has: "Nationwide (no province): USD 3,000.00"
    note: str = ""  # the old era: drawn on the successors
    table_id: str = ""  # the table with the same figures, for the link under the map


def _levels(values: Sequence[Decimal]) -> list[Decimal]:
    """The upper bound of each colour class: quantiles of the figures other than zero (fewer classes when there
    are fewer distinct figures)."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    count = min(CLASSES, len(ordered))
    ranked = sorted(values)
    bounds: list[Decimal] = []
    for index in range(1, count + 1):
        bound = ranked[math.ceil(index * len(ranked) / count) - 1]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _level(value: Decimal, bounds: Sequence[Decimal]) -> int:
    if not value:
        return 0
    return next((index + 1 for index, bound in enumerate(bounds) if value <= bound), len(bounds))


def province_map(
    figures: Mapping[str, MapFigure],
    *,
    map_id: str,
    title: str,
    short: Callable[[Decimal], str],
    link: Callable[[str], str] | None = None,
    outside: str = "",
    note: str = "",
    table_id: str = "",
) -> ProvinceMap:
    """The map of `figures` (by current province code). `short` writes a class's bound in the legend, `link` gives
    a province's address (none: the shapes are not links)."""
    outlines = shapes()
    names = {
        unit.code: unit.name
        for unit in AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE).only(
            "code", "name_vi", "name_en", "name_ar"
        )
    }
    bounds = _levels([found.value for found in figures.values() if found.value])
    areas = []
    for code, path in outlines.paths.items():
        found = figures.get(code)
        name = names.get(code, code)
        if found is None:
            text = _("%(province)s: no figure") % {"province": name}
        else:
            text = _("%(province)s: %(figure)s") % {"province": name, "figure": found.text}
            if found.parts:
                text += " (" + "; ".join(f"{part}: {value}" for part, value in found.parts) + ")"
        areas.append(
            MapArea(
                code=code,
                path=path,
                title=text,
                level=_level(found.value, bounds) if found else 0,
                link=link(code) if link else "",
            )
        )
    legend = [LegendEntry(0, _("No figure"))]
    low: Decimal | None = None
    for index, bound in enumerate(bounds):
        if low is None or low == bound:
            label = _("up to %(high)s") % {"high": short(bound)}
        else:
            label = _("%(low)s to %(high)s") % {"low": short(low), "high": short(bound)}
        legend.append(LegendEntry(index + 1, label))
        low = bound
    anchors = outlines.anchors
    labels = [
        (x, y, text)
        for name, text in (("hoang_sa", _("Hoàng Sa archipelago")), ("truong_sa", _("Trường Sa archipelago")))
        if name in anchors
        for x, y in (anchors[name],)
    ]
    return ProvinceMap(
        id=map_id,
        title=title,
        view_box=outlines.view_box,
        areas=areas,
        legend=legend,
        labels=labels,
        outside=outside,
        note=note,
        table_id=table_id,
    )


def report_province_map(
    result: ReportResult,
    measure: Measure,
    *,
    map_id: str,
    title: str,
    link: Callable[[str], str] | None = None,
    table_id: str = "",
) -> ProvinceMap | None:
    """The map of a report grouped by province alone (either era), of one money measure. Without `link`, a
    province of the current era links to the aid items behind its figure (the report's own links: staff
    pages); a province drawn for several old provinces has no single list behind it, and no link."""
    if result.spec.group_by != (Dimension.PROVINCE,):
        return None
    currency = result.currency

    def text(value: Number) -> str:
        return f"{figure(value, currency)} {currency}"

    figures: dict[str, MapFigure] = {}
    outside = ""
    record_links: dict[str, str] = {}
    old_era = result.spec.era != Era.CURRENT
    successor = _successors() if old_era else {}
    parts: dict[str, list[tuple[str, Decimal]]] = {}
    for row in result.rows:
        key, value = row.keys[0], Decimal(row.value(measure))
        if key.value is None:
            outside = _("%(label)s: %(figure)s") % {"label": key.label, "figure": text(value)}
            continue
        code = successor.get(str(key.value), "") if old_era else str(key.value)
        if not code:
            continue
        parts.setdefault(code, []).append((key.label, value))
        if not old_era:
            record_links[code] = row.link
    for code, found in parts.items():
        total = sum((value for _label, value in found), Decimal(0))
        shown = tuple((label, text(value)) for label, value in found) if old_era else ()
        figures[code] = MapFigure(total, text(total), shown)
    if link is None and not old_era:

        def link(code: str) -> str:
            return record_links.get(code, "")

    note = ""
    if old_era:
        note = _(
            "The figures are by the 63 provinces before 1 July 2025. No boundaries of those provinces are "
            "available to draw, so each is shown within the current province it merged into: a province's "
            "colour is the sum of its former provinces, each named with its figure."
        )
    return province_map(
        figures,
        map_id=map_id,
        title=title,
        short=lambda value: short_amount(value, currency),
        link=link,
        outside=outside,
        note=note,
        table_id=table_id,
    )


def _successors() -> dict[str, str]:
    """Old province code → the code of the current province it merged into (one query)."""
    return dict(UnitMapping.objects.filter(level=UnitLevel.PROVINCE).values_list("old_unit__code", "new_unit__code"))


def count_map_figures(counts: Mapping[str, int], describe: Callable[[int], str]) -> dict[str, MapFigure]:
    """Figures that are counts (published reports of a province): the map's figures, written by `describe`."""
    return {code: MapFigure(Decimal(count), describe(count)) for code, count in counts.items() if count}
