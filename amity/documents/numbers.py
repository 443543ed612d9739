"""Reading a Vietnamese document's number and symbol (số, ký hiệu): "308/QĐ-UBND", "38-CT/TW", "1970/KH-UBND",
"124-KH/TU", "80/2020/NĐ-CP", "123/UBND-VX".

Two forms are in use. The State's (Decree 30/2020): number, optionally the year, then the kind's abbreviation and the
issuing body joined by a hyphen, after a slash ("308/QĐ-UBND", "80/2020/NĐ-CP"); an official letter has no kind,
only the body and its unit ("123/UBND-VX"). The Party's (Regulation 66-QĐ/TW): number, hyphen, kind, slash, body
("38-CT/TW", "124-KH/TU"). A number that fits neither is kept as typed and the document says so (`parse` gives
`parsed=False`), never refused: old and foreign documents have numbers of their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .choices import ABBREVIATIONS, DocumentKind

# Abbreviations by their upper-case form without the Vietnamese Đ, so that "QD", "Qđ" and "QĐ" all read the same.
KIND_BY_ABBREVIATION: dict[str, tuple[str, DocumentKind]] = {
    abbreviation.upper().replace("Đ", "D"): (abbreviation, kind) for abbreviation, kind in ABBREVIATIONS.items()
}

_LETTERS = r"[A-Za-zĐđ]+"
_BODY = r"[A-Za-zĐđ0-9]+(?:[.\-][A-Za-zĐđ0-9]+)*"
_STATE = re.compile(rf"^(?P<number>\d+)(?:/(?P<year>(?:19|20)\d\d))?/(?P<symbol>{_LETTERS}(?:-{_BODY})?)$")
_PARTY = re.compile(rf"^(?P<number>\d+)-(?P<kind>{_LETTERS})/(?P<body>{_BODY})$")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


@dataclass(frozen=True)
class DocumentNumber:
    """What a number and symbol says: the number, the year when given, the kind's abbreviation (as printed) and
    the kind, and the issuing body's abbreviation ("UBND", "TW", "TU", "CP"). `parsed` is False when the text fits
    no known form (every other field then empty)."""

    text: str
    parsed: bool
    number: str = ""
    year: int | None = None
    abbreviation: str = ""
    kind: DocumentKind | None = None
    issuer: str = ""


def tidy(text: str) -> str:
    """The number as it should be kept: NFC, dashes as hyphens, no spaces around its separators."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES).strip()
    return re.sub(r"\s*([/\-])\s*", r"\1", text)


def _kind(letters: str) -> tuple[str, DocumentKind | None]:
    found = KIND_BY_ABBREVIATION.get(letters.upper().replace("Đ", "D"))
    return found if found else (letters, None)


def parse(text: str) -> DocumentNumber:
    cleaned = tidy(text)
    if state := _STATE.match(cleaned):
        year = int(state["year"]) if state["year"] else None
        first, _hyphen, rest = state["symbol"].partition("-")
        abbreviation, kind = _kind(first)
        if kind is None:
            # No kind: an official letter, "123/UBND-VX" (body, then the unit that drafted it).
            if year is None:
                return DocumentNumber(cleaned, True, state["number"], None, "", DocumentKind.OFFICIAL_LETTER, first)
            return DocumentNumber(cleaned, False)
        if not rest:
            return DocumentNumber(cleaned, False)
        return DocumentNumber(cleaned, True, state["number"], year, abbreviation, kind, rest)
    if party := _PARTY.match(cleaned):
        abbreviation, kind = _kind(party["kind"])
        if kind is None:
            return DocumentNumber(cleaned, False)
        return DocumentNumber(cleaned, True, party["number"], None, abbreviation, kind, party["body"])
    return DocumentNumber(cleaned, False)
