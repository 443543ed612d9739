"""The outlines of the 34 current provinces as SVG path data, for maps drawn on the server (`reports.province_map`).

`data/vn/geo/provinces_34_paths.json` is derived from the project's own boundary file
(`data/vn/geo/provinces_34_simplified.geojson`, see data/NOTICE section 2) by `derive()`, and written by
`manage.py derive_province_shapes`; a test checks that the stored file is what `derive()` makes of the GeoJSON. The
application reads only the derived file (`shapes()`, read once per process).

How it is derived, so that an inline map stays under 60 KB:
- projected equirectangularly (longitude scaled by the cosine of the middle latitude, good enough over 16° of
  latitude), 600 units wide, north up; whole units (one unit ≈ 2.8 km);
- each ring simplified by Douglas–Peucker at half a unit, written with relative moves (`l`);
- islands too small to show at this scale: dropped when close to larger land of their province (the islets of
  Hạ Long Bay), kept as a small square when far from it (Hoàng Sa, Trường Sa, Bạch Long Vĩ, Cồn Cỏ…), so that
  every part of Viet Nam stays on the map; the archipelagos get a label anchor.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

GEOMETRY_DIR = Path("vn") / "geo"
SOURCE = GEOMETRY_DIR / "provinces_34_simplified.geojson"
DERIVED = GEOMETRY_DIR / "provinces_34_paths.json"

WIDTH = 600  # units of the view box across
MARGIN = 4
TOLERANCE = 0.5  # Douglas–Peucker, in units
MIN_AREA = 2.0  # square units: a ring smaller than this is an islet
NEAR = 8.0  # units: an islet this close to larger land of its province is not drawn apart
MARKER = 2  # the side of an islet's square, in units

# The archipelagos, by the province they belong to and a box of longitudes (east of any mainland coast).
ARCHIPELAGOS = {"hoang_sa": ("48", 111.0), "truong_sa": ("56", 111.0)}

Point = tuple[float, float]


@dataclass(frozen=True)
class ProvinceShapes:
    width: int
    height: int
    paths: dict[str, str]  # current-era province code → SVG path data
    anchors: dict[str, tuple[int, int]]  # archipelago → where its label goes

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


@functools.cache
def shapes() -> ProvinceShapes:
    """The derived outlines (read once per process)."""
    path = Path(settings.AMITY_REFERENCE_DATA_DIR) / DERIVED
    data = json.loads(path.read_text(encoding="utf-8"))
    return ProvinceShapes(
        width=data["width"],
        height=data["height"],
        paths=data["paths"],
        anchors={name: (x, y) for name, (x, y) in data["anchors"].items()},
    )


# --- deriving the outlines from the GeoJSON (manage.py derive_province_shapes) -------------------------------


def _rings(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[[(float(x), float(y)) for x, y, *_z in ring] for ring in polygon] for polygon in polygons]


def _area(ring: Sequence[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))) / 2


def _centre(ring: Sequence[Point]) -> Point:
    return (sum(x for x, _y in ring) / len(ring), sum(y for _x, y in ring) / len(ring))


def _simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative; the first and last points are kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                distance = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                distance = math.hypot(x - x1, y - y1)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _whole(ring: Sequence[Point]) -> list[tuple[int, int]]:
    """Rounded to whole units, without repeated points."""
    rounded: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    return rounded


def _path(ring: Sequence[tuple[int, int]]) -> str:
    (x, y), rest = ring[0], ring[1:]
    moves = []
    for nx, ny in rest:
        moves.append(f"{nx - x} {ny - y}".replace(" -", "-"))
        x, y = nx, ny
    return f"M{ring[0][0]} {ring[0][1]}l" + " ".join(moves).replace(" -", "-") + "z"


def _square(centre: Point) -> str:
    x, y = round(centre[0] - MARKER / 2), round(centre[1] - MARKER / 2)
    return f"M{x} {y}h{MARKER}v{MARKER}h-{MARKER}z"


def derive(geojson: dict[str, Any]) -> dict[str, Any]:
    """The SVG outlines of the GeoJSON's provinces (its `code` property), as stored in `DERIVED`."""
    features = sorted(geojson["features"], key=lambda feature: feature["properties"]["code"])
    every = [point for feature in features for poly in _rings(feature["geometry"]) for ring in poly for point in ring]
    west, east = min(x for x, _y in every), max(x for x, _y in every)
    south, north = min(y for _x, y in every), max(y for _x, y in every)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
    height = math.ceil((north - south) * scale) + 2 * MARGIN

    def project(point: Point) -> Point:
        return ((point[0] - west) * squeeze * scale + MARGIN, (north - point[1]) * scale + MARGIN)

    paths: dict[str, str] = {}
    anchors: dict[str, list[Point]] = {name: [] for name in ARCHIPELAGOS}
    for feature in features:
        code = feature["properties"]["code"]
        land: list[str] = []
        islets: list[Point] = []
        kept_centres: list[Point] = []
        for polygon in _rings(feature["geometry"]):
            projected = [[project(point) for point in ring] for ring in polygon]
            outer = projected[0]
            for name, (province, longitude) in ARCHIPELAGOS.items():
                if code == province and polygon[0][0][0] > longitude:
                    anchors[name].append(_centre(outer))
            if _area(outer) < MIN_AREA:
                islets.append(_centre(outer))
                continue
            for ring in projected:
                whole = _whole(_simplify(ring, TOLERANCE))
                if len(whole) >= 3 and _area([(float(x), float(y)) for x, y in whole] + [whole[0]]) >= 1:
                    land.append(_path(whole))
            kept_centres += [(float(x), float(y)) for x, y in _whole(outer)]
        markers: list[Point] = []
        for centre in islets:
            near_land = any(math.dist(centre, point) < NEAR for point in kept_centres)
            near_marker = any(math.dist(centre, point) < MARKER * 1.5 for point in markers)
            if not near_land and not near_marker:
                markers.append(centre)
        paths[code] = "".join(land + [_square(centre) for centre in markers])
    return {
        "width": WIDTH,
        "height": height,
        "paths": paths,
        "anchors": {
            name: [round(sum(x for x, _y in points) / len(points)), round(min(y for _x, y in points)) - 6]
            for name, points in anchors.items()
            if points
        },
    }


def derive_from_reference_data() -> str:
    """`derive()` of the reference GeoJSON, as the text stored in `DERIVED` (stable: sorted keys, one province a
    line)."""
    source = Path(settings.AMITY_REFERENCE_DATA_DIR) / SOURCE
    derived = derive(json.loads(source.read_text(encoding="utf-8")))
    lines = [f"  {json.dumps(code)}: {json.dumps(path)}" for code, path in derived["paths"].items()]
    return (
        "{\n"
        f'"width": {derived["width"]},\n"height": {derived["height"]},\n'
        f'"anchors": {json.dumps(derived["anchors"], sort_keys=True)},\n'
        '"paths": {\n' + ",\n".join(lines) + "\n}\n}\n"
    )
