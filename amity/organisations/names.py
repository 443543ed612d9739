"""How organisation names are compared, written once for every writer: two names are the same organisation's
when they differ only in accents, đ/d, case, hyphens or spaces — "Tổ chức Plan" in one file, "TO CHUC PLAN" or
"To chuc  Plan" in another."""

from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=65536)  # a donor's file names the same organisations again and again
def normalise_name(name: str) -> str:
    """A name as compared across files and sheets: no accents, no đ, case-folded, hyphens as spaces, single
    spaces."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace("-", " ").split())
