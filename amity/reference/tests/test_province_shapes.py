"""The provinces' SVG outlines (`province_shapes`): derived from the reference GeoJSON and nothing else, small
enough for an inline map, and with every part of Viet Nam on it."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from amity.reference.models import AdministrativeUnit
from amity.reference.province_shapes import DERIVED, derive_from_reference_data, shapes


def test_the_stored_outlines_are_what_the_reference_geojson_derives_to() -> None:
    stored = (Path(settings.AMITY_REFERENCE_DATA_DIR) / DERIVED).read_text(encoding="utf-8")
    assert stored == derive_from_reference_data()  # `manage.py derive_province_shapes` after the GeoJSON changes


def test_the_outlines_are_the_34_current_provinces(db: object) -> None:
    codes = set(AdministrativeUnit.objects.filter(era="2025", level="province").values_list("code", flat=True))
    assert set(shapes().paths) == codes


def test_the_outlines_are_small_enough_for_an_inline_map() -> None:
    assert sum(len(path) for path in shapes().paths.values()) < 30_000
    assert shapes().view_box == "0 0 600 643"


def test_the_archipelagos_and_the_offshore_islands_stay_on_the_map() -> None:
    outlines = shapes()
    assert set(outlines.anchors) == {"hoang_sa", "truong_sa"}

    def far_east(code: str) -> bool:  # a shape of the province east of every mainland coast (x > 330 units)
        return any(int(x) > 330 for x in re.findall(r"M(\d+) ", outlines.paths[code]))

    assert far_east("48")  # Đà Nẵng: Hoàng Sa
    assert far_east("56")  # Khánh Hoà: Trường Sa
    assert outlines.paths["31"].count("M") >= 2  # Hải Phòng with Bạch Long Vĩ, far offshore
