"""`manage.py derive_province_shapes`: write the provinces' SVG outlines (data/vn/geo/provinces_34_paths.json)
from the reference GeoJSON, after that file changes (amity/reference/province_shapes.py says how)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, no_translations

from amity.reference.province_shapes import DERIVED, derive_from_reference_data


class Command(BaseCommand):
    help = "Derive the SVG outlines of the 34 provinces (data/vn/geo/provinces_34_paths.json) from their GeoJSON."

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(settings.AMITY_REFERENCE_DATA_DIR) / DERIVED
        text = derive_from_reference_data()
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {target} ({len(text.encode())} bytes)")
