"""Deterministic generator of large, valid IATI 2.03 activity files about Viet Nam, for the import benchmark.

    .venv/bin/python benchmarks/iati_generate.py --activities 100000 --out var/iati-100k.xml
    .venv/bin/python benchmarks/iati_generate.py --size-mb 1024 --out var/iati-1g.xml
    .venv/bin/python benchmarks/iati_generate.py --activities 1000 --out var/iati-1k.xml --validate
    .venv/bin/python benchmarks/iati_generate.py --activities 20000 --files 8 --out var/iati-registry/

The same arguments and seed always give the same bytes. The file is written streaming with
`lxml.etree.xmlfile`, one activity element at a time, so memory stays flat whatever the size.

What the activities look like (shares are approximate, drawn from the seeded generator):
- `iati-identifier` `{reporting-org ref}-{n}`; reporting-org from ~300 publishers in a pool of 2,000 organisations
  (foreign NGOs, foundations, governments, multilaterals, Vietnamese partners; ~12 % of the pool has no ref);
- titles and descriptions in en, fr and vi, some in ar, ko, ja; activity-status and activity-dates consistent with
  the dates; participating-orgs with roles 1–4 (some without ref);
- recipient-country: 70 % `VN` 100; 12 % several countries with a VN share (a third also with a recipient-region
  share); 8 % no activity-level country but a `recipient-country` on every transaction (mostly VN); 10 % not about
  Viet Nam at all (KH, LA, MM… or a region only), for the VN filter;
- locations named after provinces of Viet Nam (pre-2025 names for activities that started before 2025, the 34
  current provinces after; Vietnamese, English, full or short forms), points at the province's centroid;
- sectors vocabulary 1 (active 5-digit DAC codes) with percentages summing to 100, sometimes also vocabulary 2
  (3-digit categories, their own 100);
- yearly budgets; transactions of types 2, 3, 4, 11 and some 1, value-dates over 2010–2026, in USD, EUR, JPY, KRW,
  GBP, AUD, CAD, CHF, SEK (the activity's `default-currency`, sometimes an explicit or different `currency`).

`--validate` checks the written file against `amity/reference/data/iati/schema-2.03/iati-activities-schema.xsd`
(whole document when small, activity by activity otherwise, so it works on any size).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "amity" / "reference" / "data"
SCHEMA = DATA / "iati" / "schema-2.03" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TODAY = date(2026, 1, 1)  # fixed "now": statuses are derived from it, never from the clock
GENERATED = "2026-01-01T00:00:00Z"
LANGS = ("en", "fr", "vi", "ar", "ko", "ja")

# Themes: title in each language, the DAC 5-digit sectors that fit it.
THEMES: list[tuple[dict[str, str], tuple[str, ...]]] = [
    (
        {
            "en": "Clean water and sanitation for rural communities",
            "fr": "Eau potable et assainissement pour les communautés rurales",
            "vi": "Nước sạch và vệ sinh môi trường cho cộng đồng nông thôn",
            "ar": "المياه النظيفة والصرف الصحي للمجتمعات الريفية",
            "ko": "농촌 지역사회를 위한 깨끗한 물과 위생",
            "ja": "農村地域のための安全な水と衛生",
        },
        ("14030", "14031", "14032", "14020"),
    ),
    (
        {
            "en": "Improving the quality of primary education",
            "fr": "Amélioration de la qualité de l'enseignement primaire",
            "vi": "Nâng cao chất lượng giáo dục tiểu học",
            "ar": "تحسين جودة التعليم الابتدائي",
            "ko": "초등 교육의 질 향상",
            "ja": "初等教育の質の向上",
        },
        ("11220", "11231", "11110"),
    ),
    (
        {
            "en": "Maternal and child health and nutrition",
            "fr": "Santé et nutrition maternelles et infantiles",
            "vi": "Sức khỏe và dinh dưỡng bà mẹ và trẻ em",
            "ar": "صحة الأم والطفل والتغذية",
            "ko": "모자 보건 및 영양",
            "ja": "母子保健と栄養",
        },
        ("12240", "13020", "12220", "12261"),
    ),
    (
        {
            "en": "Community-based disaster risk reduction",
            "fr": "Réduction des risques de catastrophe à base communautaire",
            "vi": "Giảm nhẹ rủi ro thiên tai dựa vào cộng đồng",
            "ar": "الحد من مخاطر الكوارث على مستوى المجتمع المحلي",
            "ko": "지역사회 기반 재난 위험 경감",
            "ja": "地域に根ざした防災・減災",
        },
        ("43060", "74020", "41010"),
    ),
    (
        {
            "en": "Climate-resilient agricultural livelihoods",
            "fr": "Moyens de subsistance agricoles résilients au climat",
            "vi": "Sinh kế nông nghiệp thích ứng với biến đổi khí hậu",
            "ar": "سبل عيش زراعية قادرة على التكيف مع المناخ",
            "ko": "기후 회복력 있는 농업 생계",
            "ja": "気候変動に強い農業と生計",
        },
        ("31120", "31161", "31191", "43072"),
    ),
    (
        {
            "en": "Inclusive education for children with disabilities",
            "fr": "Éducation inclusive pour les enfants en situation de handicap",
            "vi": "Giáo dục hòa nhập cho trẻ em khuyết tật",
            "ar": "التعليم الشامل للأطفال ذوي الإعاقة",
            "ko": "장애 아동을 위한 통합 교육",
            "ja": "障害のある子どものためのインクルーシブ教育",
        },
        ("11220", "16010", "16020"),
    ),
    (
        {
            "en": "Vocational training for young people",
            "fr": "Formation professionnelle des jeunes",
            "vi": "Đào tạo nghề cho thanh niên",
            "ar": "التدريب المهني للشباب",
            "ko": "청년 직업 훈련",
            "ja": "若者のための職業訓練",
        },
        ("11330", "16020"),
    ),
    (
        {
            "en": "Mangrove restoration and coastal protection",
            "fr": "Restauration des mangroves et protection côtière",
            "vi": "Phục hồi rừng ngập mặn và bảo vệ vùng ven biển",
            "ar": "استعادة أشجار المانغروف وحماية السواحل",
            "ko": "맹그로브 복원 및 해안 보호",
            "ja": "マングローブの再生と沿岸保全",
        },
        ("41030", "41020", "41010"),
    ),
    (
        {
            "en": "Clearance of unexploded ordnance",
            "fr": "Dépollution des munitions non explosées",
            "vi": "Rà phá bom mìn và vật liệu chưa nổ",
            "ar": "إزالة الذخائر غير المنفجرة",
            "ko": "불발탄 제거",
            "ja": "不発弾の除去",
        },
        ("15250",),
    ),
    (
        {
            "en": "Women's economic empowerment",
            "fr": "Autonomisation économique des femmes",
            "vi": "Trao quyền kinh tế cho phụ nữ",
            "ar": "التمكين الاقتصادي للمرأة",
            "ko": "여성의 경제적 역량 강화",
            "ja": "女性の経済的エンパワーメント",
        },
        ("15170", "15160", "15150"),
    ),
    (
        {
            "en": "HIV prevention and care",
            "fr": "Prévention et prise en charge du VIH",
            "vi": "Phòng chống và chăm sóc HIV",
            "ar": "الوقاية من فيروس نقص المناعة البشرية والرعاية",
            "ko": "HIV 예방 및 치료",
            "ja": "HIVの予防とケア",
        },
        ("13040", "12191"),
    ),
    (
        {
            "en": "Emergency relief after floods",
            "fr": "Aide d'urgence après les inondations",
            "vi": "Cứu trợ khẩn cấp sau lũ lụt",
            "ar": "الإغاثة الطارئة بعد الفيضانات",
            "ko": "홍수 피해 긴급 구호",
            "ja": "洪水後の緊急救援",
        },
        ("72010", "72040", "73010"),
    ),
]
IN_PLACE = {
    "en": "{title} in {en}",
    "fr": "{title} dans la province de {en}",
    "vi": "{title} tại {vi}",
    "ar": "{title} في {en}",
    "ko": "{title} ({en})",
    "ja": "{title}（{en}）",
}
DESCRIPTIONS = {
    "en": (
        "The project works with {n} households in {place} over {years} years. It trains local staff, "
        "builds the capacity of community groups and works closely with the provincial authorities so that the "
        "results last after the project ends."
    ),
    "fr": (
        "Le projet accompagne {n} ménages dans la province de {place} pendant {years} ans. Il forme le personnel "
        "local, renforce les capacités des groupes communautaires et travaille avec les autorités provinciales."
    ),
    "vi": (
        "Dự án hỗ trợ {n} hộ gia đình tại {place} trong {years} năm, đào tạo cán bộ địa phương, nâng cao năng lực "
        "cho các nhóm cộng đồng và phối hợp chặt chẽ với chính quyền tỉnh."
    ),
    "ar": "يعمل المشروع مع {n} أسرة في {place} لمدة {years} سنوات بالتعاون مع السلطات المحلية.",
    "ko": "이 사업은 {years}년 동안 {place}의 {n}가구를 지원하며 지방 정부와 긴밀히 협력합니다.",
    "ja": "本事業は{years}年間、{place}の{n}世帯を対象に、地方行政と緊密に連携して実施されます。",
}
OBJECTIVES = {
    "en": "Reduce poverty and improve access to basic services for the poorest households.",
    "fr": "Réduire la pauvreté et améliorer l'accès aux services de base des ménages les plus pauvres.",
    "vi": "Giảm nghèo và cải thiện khả năng tiếp cận dịch vụ cơ bản cho các hộ nghèo nhất.",
}

# Publisher countries: registration agencies (for refs), currency, title languages.
COUNTRIES: list[tuple[str, tuple[str, ...], str, tuple[str, ...], int]] = [
    # (country, agencies, default currency, extra title languages, weight)
    ("GB", ("GB-CHC", "GB-COH", "GB-SC"), "GBP", (), 14),
    ("US", ("US-EIN",), "USD", (), 18),
    ("FR", ("FR-RNA", "FR-SIRET"), "EUR", ("fr",), 8),
    ("DE", ("DE-CR",), "EUR", (), 8),
    ("NL", ("NL-KVK",), "EUR", (), 6),
    ("BE", ("BE-BCE_KBO",), "EUR", ("fr",), 3),
    ("AU", ("AU-ABN",), "AUD", (), 7),
    ("JP", ("JP-JCN",), "JPY", ("ja",), 7),
    ("KR", ("KR-BRN",), "KRW", ("ko",), 6),
    ("CA", ("CA-CRA_ACR",), "CAD", ("fr",), 4),
    ("CH", ("CH-FDJP",), "CHF", ("fr",), 3),
    ("SE", ("SE-ON",), "SEK", (), 3),
    ("AE", ("AE-DCD",), "USD", ("ar",), 2),
    ("XM", ("XM-DAC",), "USD", ("fr", "ar"), 3),
]
NAME_ADJ = (
    "Global", "Mekong", "Bright", "Green", "Open", "United", "Pacific", "Lotus", "Bamboo", "River", "Hope",
    "Friendship", "Northern", "Blue", "Common", "Rising", "Safe", "Golden", "New", "Living",
)  # fmt: skip
NAME_NOUN = (
    "Children", "Water", "Health", "Futures", "Horizons", "Education", "Villages", "Communities", "Rivers",
    "Hands", "Harvest", "Bridges", "Schools", "Families", "Forests", "Mothers", "Youth", "Roots",
)  # fmt: skip
NAME_KIND = (
    "Foundation", "Trust", "Alliance", "Aid", "International", "Network", "Fund", "Partnership", "Relief",
    "Society", "Initiative", "Mission",
)  # fmt: skip
VN_PARTNER_KINDS = (
    ("Hội Liên hiệp Phụ nữ {full}", "10"),
    ("Sở Y tế {full}", "10"),
    ("Sở Giáo dục và Đào tạo {full}", "10"),
    ("Hội Chữ thập đỏ {full}", "22"),
    ("Trung tâm Phát triển Cộng đồng {name}", "22"),
    ("Liên hiệp các tổ chức hữu nghị {full}", "10"),
    ("Hội Nông dân {full}", "22"),
)
NEIGHBOURS = ("LA", "KH", "MM", "TH", "PH", "ID", "CN")
CURRENCIES_PER_USD = {
    "USD": 1.0, "EUR": 0.9, "GBP": 0.78, "AUD": 1.42, "JPY": 125.0, "KRW": 1180.0, "CAD": 1.31, "CHF": 0.95,
    "SEK": 9.6,
}  # fmt: skip
WHOLE_UNITS = {"JPY", "KRW"}


@dataclass(frozen=True)
class Org:
    ref: str | None
    name: str
    type: str
    currency: str
    langs: tuple[str, ...]


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # Vietnamese short
    name_en: str
    full_name: str
    full_name_en: str
    lat: float
    lon: float


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def centroids() -> dict[str, tuple[float, float]]:
    """Current province code → (lat, lon), the mean of the outer ring's points (good enough for a point)."""
    data = json.loads((DATA / "vn" / "geo" / "provinces_34_simplified.geojson").read_text(encoding="utf-8"))
    result = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        rings = (
            [geometry["coordinates"][0]]
            if geometry["type"] == "Polygon"
            else [polygon[0] for polygon in geometry["coordinates"]]
        )
        points = [point for ring in rings for point in ring]
        result[feature["properties"]["code"]] = (
            sum(p[1] for p in points) / len(points),
            sum(p[0] for p in points) / len(points),
        )
    return result


def load_provinces() -> tuple[list[Province], list[Province]]:
    """(pre-2025 provinces, 2025 provinces), with the centroid of the (new) province they are in."""
    where = centroids()
    mapping = {r["old_code"]: r["new_code"] for r in read_csv(DATA / "vn" / "mapping_2025" / "province_63_to_34.csv")}

    def build(rows: list[dict[str, str]], new_code: Any) -> list[Province]:
        out = []
        for row in rows:
            lat, lon = where[new_code(row["code"])]
            out.append(
                Province(row["code"], row["name"], row["name_en"], row["full_name"], row["full_name_en"], lat, lon)
            )
        return out

    old = build(read_csv(DATA / "vn" / "admin_pre2025" / "provinces_63.csv"), lambda code: mapping[code])
    new = build(read_csv(DATA / "vn" / "admin_2025" / "provinces_34.csv"), lambda code: code)
    return old, new


def load_sectors() -> tuple[list[str], set[str]]:
    """Active DAC 5-digit codes (vocabulary 1), and the 3-digit categories (vocabulary 2)."""
    tree = etree.parse(str(DATA / "iati" / "codelists" / "Sector.xml"))
    codes = [item.findtext("code") or "" for item in tree.iter("codelist-item") if item.get("status") != "withdrawn"]
    categories_tree = etree.parse(str(DATA / "iati" / "codelists" / "SectorCategory.xml"))
    categories = {
        item.findtext("code") or ""
        for item in categories_tree.iter("codelist-item")
        if item.get("status") != "withdrawn"
    }
    return [c for c in codes if len(c) == 5], categories


def split_100(rng: random.Random, parts: int, decimals: bool = False) -> list[str]:
    """`parts` positive percentages summing to exactly 100 (multiples of 5, or with 2 decimals)."""
    if parts == 1:
        return ["100"]
    if decimals:
        cents = [rng.randint(1, 100) for _ in range(parts)]
        total = sum(cents)
        shares = [c * 10000 // total for c in cents]
        shares = [max(1, s) for s in shares]
        shares[-1] += 10000 - sum(shares)
        if shares[-1] <= 0:  # pragma: no cover - defensive
            return split_100(rng, parts, decimals=False)
        return [f"{Decimal(s) / 100:.2f}" for s in shares]
    cuts = sorted(rng.sample(range(1, 20), parts - 1))
    bounds = [0, *cuts, 20]
    return [str(5 * (bounds[i + 1] - bounds[i])) for i in range(parts)]


class Generator:
    """All choices come from one seeded `random.Random`; the pools are built first, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.provinces_old, self.provinces_new = load_provinces()
        self.sectors, self.categories = load_sectors()
        self.themes = [(titles, tuple(c for c in codes if c in set(self.sectors))) for titles, codes in THEMES]
        self.orgs, self.publishers = self._organisations(2000)

    # -- pools ---------------------------------------------------------------------------------------------
    def _organisations(self, size: int) -> tuple[list[Org], list[Org]]:
        rng = self.rng
        weights = [c[4] for c in COUNTRIES]
        orgs: list[Org] = []
        seen: set[str] = set()
        n_vn = size * 3 // 10
        while len(orgs) < size - n_vn:
            country, agencies, currency, langs, _ = rng.choices(COUNTRIES, weights)[0]
            agency = rng.choice(agencies)
            if country == "XM":
                ref = f"XM-DAC-{rng.randint(41000, 47999)}"
                kind = "40"
                name = f"{rng.choice(('United Nations', 'Asian', 'International', 'Global'))} "
                name += f"{rng.choice(NAME_NOUN)} {rng.choice(('Programme', 'Fund', 'Facility', 'Agency'))}"
            else:
                digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((6, 8, 9, 10))))
                ref = f"{agency}-{digits}"
                kind = rng.choices(("21", "60", "10", "80", "70"), (70, 14, 6, 6, 4))[0]
                name = f"{rng.choice(NAME_ADJ)} {rng.choice(NAME_NOUN)} {rng.choice(NAME_KIND)}"
                if kind == "10":
                    name = f"Ministry of Foreign Affairs ({country}) – {rng.choice(NAME_NOUN)} Programme"
            if ref in seen:
                continue
            seen.add(ref)
            orgs.append(Org(ref if rng.random() > 0.04 else None, name, kind, currency, langs))
        provinces = self.provinces_old + self.provinces_new
        while len(orgs) < size:
            province = rng.choice(provinces)
            template, kind = rng.choice(VN_PARTNER_KINDS)
            full = province.full_name[:1].lower() + province.full_name[1:]  # "tỉnh Quảng Nam", "thành phố Huế"
            name = template.format(full=full, name=province.name)
            ref = f"VN-MOHA-{rng.randint(100000, 999999)}" if rng.random() < 0.35 else None
            if ref in seen:
                continue
            if ref:
                seen.add(ref)
            orgs.append(Org(ref, name, kind, "VND", ("vi",)))
        publishers = [o for o in orgs if o.ref and o.currency != "VND"][:300]
        return orgs, publishers

    # -- helpers -------------------------------------------------------------------------------------------
    def amount(self, currency: str, usd: float) -> str:
        value = usd * CURRENCIES_PER_USD[currency] * self.rng.uniform(0.95, 1.05)
        if currency in WHOLE_UNITS:
            return str(int(round(value, -3)))
        return f"{value:.2f}"

    def date_between(self, start: date, end: date) -> date:
        days = (end - start).days
        return start + timedelta(days=self.rng.randint(0, max(days, 0)))

    @staticmethod
    def narratives(parent: etree._Element, texts: dict[str, str], default_lang: str) -> None:
        for lang, text in texts.items():
            narrative = etree.SubElement(parent, "narrative")
            if lang != default_lang:
                narrative.set(XML_LANG, lang)
            narrative.text = text

    def org_element(self, parent: etree._Element, tag: str, org: Org, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, tag)
        if org.ref:
            element.set("ref", org.ref)
        element.set("type", org.type)
        for key, value in attrs.items():
            element.set(key.replace("_", "-"), value)
        narrative = etree.SubElement(element, "narrative")
        if org.langs == ("vi",):
            narrative.set(XML_LANG, "vi")
        narrative.text = org.name
        return element

    def province_label(self, province: Province) -> str:
        return self.rng.choice(
            (province.name, province.name, province.full_name, province.name_en, province.full_name_en)
        )

    # -- one activity --------------------------------------------------------------------------------------
    def activity(self, n: int, version: str) -> etree._Element:
        rng = self.rng
        publisher = rng.choice(self.publishers)
        assert publisher.ref
        identifier = f"{publisher.ref}-{n}"
        titles, theme_sectors = rng.choice(self.themes)

        start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 365 * 15))
        end = start + timedelta(days=rng.randint(365, 6 * 365))
        started = start <= TODAY
        ended = end <= TODAY
        status = "1" if not started else ("3" if ended and rng.random() < 0.7 else ("4" if ended else "2"))
        if rng.random() < 0.02:
            status = rng.choice(("5", "6"))

        # Geography
        scope = rng.random()
        kind = "vn" if scope < 0.70 else "multi" if scope < 0.82 else "tx" if scope < 0.90 else "other"
        era = self.provinces_old if start.year < 2025 else self.provinces_new
        if rng.random() < 0.15:
            era = self.provinces_new if era is self.provinces_old else self.provinces_old
        provinces = rng.sample(era, rng.choice((1, 1, 1, 2, 2, 3))) if kind != "other" else []
        place = provinces[0] if provinces else None

        default_currency = publisher.currency if rng.random() > 0.03 else None
        default_lang = "fr" if "fr" in publisher.langs and rng.random() < 0.3 else "en"

        activity = etree.Element("iati-activity")
        activity.set("last-updated-datetime", f"{min(end, TODAY).isoformat()}T{rng.randint(0, 23):02d}:00:00Z")
        activity.set(XML_LANG, default_lang)
        if default_currency:
            activity.set("default-currency", default_currency)
        if version >= "2.02" and titles["en"].startswith("Emergency"):
            activity.set("humanitarian", "1")
        activity.set("hierarchy", "2" if rng.random() < 0.1 else "1")

        etree.SubElement(activity, "iati-identifier").text = identifier
        reporting = self.org_element(activity, "reporting-org", publisher)
        if reporting.get("ref") is None:  # pragma: no cover - publishers always have a ref
            reporting.set("ref", identifier.rsplit("-", 1)[0])

        # Title and descriptions: default language + vi, often fr, some ar/ko/ja.
        langs = [default_lang, "vi"]
        for lang in ("fr", *publisher.langs, rng.choice(("ar", "ko", "ja"))):
            if lang not in langs and (lang in publisher.langs or rng.random() < 0.25):
                langs.append(lang)
        names = {"en": place.name_en if place else "the Mekong region", "vi": place.full_name if place else "Mê Kông"}
        title = etree.SubElement(activity, "title")
        self.narratives(
            title,
            {lang: IN_PLACE[lang].format(title=titles[lang], en=names["en"], vi=names["vi"]) for lang in langs},
            default_lang,
        )
        years = max(1, (end - start).days // 365)
        households = rng.randint(2, 400) * 50
        description = etree.SubElement(activity, "description", type="1")
        self.narratives(
            description,
            {
                lang: DESCRIPTIONS[lang].format(
                    n=households, place=names["vi"] if lang == "vi" else names["en"], years=years
                )
                for lang in langs
            },
            default_lang,
        )
        if rng.random() < 0.4:
            objectives = etree.SubElement(activity, "description", type="2")
            self.narratives(objectives, {lang: OBJECTIVES[lang] for lang in langs if lang in OBJECTIVES}, default_lang)

        # Participating organisations, roles 1–4.
        funder = rng.choice(self.publishers) if rng.random() < 0.4 else publisher
        foreign = [o for o in rng.sample(self.orgs, 6) if o.currency != "VND"]
        local = [o for o in rng.sample(self.orgs, 12) if o.currency == "VND"][: rng.randint(1, 3)]
        implementers = local or foreign[:1] or [publisher]
        self.org_element(activity, "participating-org", funder, role="1")
        self.org_element(activity, "participating-org", publisher, role="2")
        if rng.random() < 0.5:
            self.org_element(activity, "participating-org", publisher, role="3")
        for org in implementers:
            self.org_element(activity, "participating-org", org, role="4")
        if foreign and rng.random() < 0.3:
            self.org_element(activity, "participating-org", foreign[-1], role=rng.choice(("1", "4")))

        etree.SubElement(activity, "activity-status", code=status)
        etree.SubElement(activity, "activity-date", type="1", **{"iso-date": start.isoformat()})
        if started:
            actual = start + timedelta(days=rng.randint(0, 90))
            etree.SubElement(activity, "activity-date", type="2", **{"iso-date": actual.isoformat()})
        etree.SubElement(activity, "activity-date", type="3", **{"iso-date": end.isoformat()})
        if ended:
            etree.SubElement(activity, "activity-date", type="4", **{"iso-date": end.isoformat()})
        if rng.random() < 0.1:
            contact = etree.SubElement(activity, "contact-info", type="1")
            self.narratives(etree.SubElement(contact, "organisation"), {"en": publisher.name}, default_lang)
            etree.SubElement(contact, "email").text = f"vietnam@{publisher.ref.lower()}.example.org"
        etree.SubElement(activity, "activity-scope", code="4" if kind in ("vn", "tx") else "3")

        # Recipient countries and regions (percentages sum to 100 over both).
        tx_countries: list[str] = []
        if kind == "vn":
            if rng.random() < 0.85:
                etree.SubElement(activity, "recipient-country", code="VN", percentage="100")
            else:
                etree.SubElement(activity, "recipient-country", code="VN")
        elif kind == "multi":
            others = rng.sample(NEIGHBOURS, rng.randint(1, 3))
            with_region = rng.random() < 0.33
            shares = split_100(rng, len(others) + 1 + with_region, decimals=rng.random() < 0.2)
            for code, share in zip(["VN", *others], shares, strict=False):
                country = etree.SubElement(activity, "recipient-country", code=code, percentage=share)
                if code == "VN" and rng.random() < 0.3:
                    self.narratives(country, {"en": "Viet Nam"}, default_lang)
            if with_region:
                etree.SubElement(activity, "recipient-region", code="789", vocabulary="1", percentage=shares[-1])
        elif kind == "tx":
            tx_countries = ["VN"] * 4 + rng.sample(NEIGHBOURS, 1)
        else:
            roll = rng.random()
            if roll < 0.6:
                etree.SubElement(activity, "recipient-country", code=rng.choice(NEIGHBOURS), percentage="100")
            elif roll < 0.85:
                codes = rng.sample(NEIGHBOURS, 2)
                for code, share in zip(codes, split_100(rng, 2), strict=True):
                    etree.SubElement(activity, "recipient-country", code=code, percentage=share)
            else:
                etree.SubElement(activity, "recipient-region", code=rng.choice(("789", "798")), vocabulary="1",
                                 percentage="100")  # fmt: skip

        # Locations: provinces of Viet Nam.
        for k, province in enumerate(provinces, start=1):
            location = etree.SubElement(activity, "location", ref=f"{identifier}-L{k}")
            etree.SubElement(location, "location-reach", code="1")
            etree.SubElement(location, "location-id", vocabulary="G1", code=str(1559000 + int(province.code)))
            self.narratives(etree.SubElement(location, "name"), {"vi": self.province_label(province)}, default_lang)
            etree.SubElement(location, "administrative", vocabulary="A4", level="0", code="VN")
            point = etree.SubElement(location, "point", srsName="http://www.opengis.net/def/crs/EPSG/0/4326")
            etree.SubElement(point, "pos").text = f"{province.lat:.5f} {province.lon:.5f}"
            etree.SubElement(location, "exactness", code="2")
            etree.SubElement(location, "location-class", code="1")
            etree.SubElement(location, "feature-designation", code="ADM1")

        # Sectors: vocabulary 1 summing to 100, sometimes vocabulary 2 too.
        codes = list(dict.fromkeys([rng.choice(theme_sectors), *rng.sample(theme_sectors, len(theme_sectors))]))
        codes = codes[: rng.choice((1, 1, 2, 2, 3))]
        if rng.random() < 0.15:
            extra = rng.choice(self.sectors)
            if extra not in codes:
                codes.append(extra)
        for code, share in zip(codes, split_100(rng, len(codes), decimals=rng.random() < 0.1), strict=True):
            sector = etree.SubElement(activity, "sector", vocabulary="1", code=code, percentage=share)
            if rng.random() < 0.1:
                self.narratives(sector, {"en": f"DAC {code}"}, default_lang)
        if rng.random() < 0.12:
            categories = [c for c in dict.fromkeys(code[:3] for code in codes) if c in self.categories]
            for code, share in zip(categories, split_100(rng, len(categories)), strict=True):
                etree.SubElement(activity, "sector", vocabulary="2", code=code, percentage=share)

        if rng.random() < 0.3:
            etree.SubElement(activity, "policy-marker", vocabulary="1", code="1", significance=rng.choice("012"))
        etree.SubElement(activity, "collaboration-type", code=rng.choice(("1", "2", "3", "4")))
        etree.SubElement(activity, "default-flow-type", code="30" if publisher.type in ("21", "60") else "10")
        etree.SubElement(activity, "default-finance-type", code="110")
        etree.SubElement(activity, "default-aid-type", code=rng.choice(("C01", "B03", "B01", "H01")))
        etree.SubElement(activity, "default-tied-status", code="5")

        currency = default_currency or publisher.currency
        total_usd = math.exp(rng.uniform(math.log(20_000), math.log(5_000_000)))

        # Budgets: one per project year.
        for year in range(start.year, min(end.year, start.year + 5) + 1):
            budget = etree.SubElement(activity, "budget", type="1", status=rng.choice("12"))
            etree.SubElement(budget, "period-start", **{"iso-date": f"{year}-01-01"})
            etree.SubElement(budget, "period-end", **{"iso-date": f"{year}-12-31"})
            value = etree.SubElement(budget, "value", **{"value-date": f"{year}-01-01"})
            if not default_currency:
                value.set("currency", currency)
            value.text = self.amount(currency, total_usd / (min(end.year, start.year + 5) - start.year + 1))

        # Transactions: commitment (or incoming commitment), disbursements, expenditures, some incoming funds.
        last = min(end, date(2026, 12, 31), max(start, TODAY) + timedelta(days=365))
        plan: list[tuple[str, float, date]] = []
        if publisher is funder or rng.random() < 0.5:
            plan.append(("2", total_usd, start))
        else:
            plan.append(("11", total_usd, start))
        if plan[0][0] == "11" or rng.random() < 0.1:
            for _ in range(rng.randint(1, 3)):
                plan.append(("1", total_usd / 3, self.date_between(start, last)))
        if started:
            count = rng.randint(1, 7)
            for _ in range(count):
                plan.append(("3", total_usd / (count + 1), self.date_between(start, last)))
            for _ in range(rng.randint(0, 4)):
                plan.append(("4", total_usd / 10, self.date_between(start, last)))
        plan.sort(key=lambda item: (item[2], item[0]))
        for k, (tx_type, usd, when) in enumerate(plan, start=1):
            if when.year < 2010:  # pragma: no cover - start is ≥ 2010
                when = date(2010, 1, 1)
            transaction = etree.SubElement(activity, "transaction")
            if rng.random() < 0.5:
                transaction.set("ref", f"{identifier}-T{k}")
            etree.SubElement(transaction, "transaction-type", code=tx_type)
            etree.SubElement(transaction, "transaction-date", **{"iso-date": when.isoformat()})
            value_date = when if rng.random() < 0.9 else when - timedelta(days=rng.randint(1, 20))
            if value_date.year < 2010:
                value_date = date(2010, 1, 1)
            value = etree.SubElement(transaction, "value", **{"value-date": value_date.isoformat()})
            tx_currency = currency
            roll = rng.random()
            if not default_currency or roll < 0.25:
                value.set("currency", currency)
            elif roll > 0.93:
                tx_currency = rng.choice(("USD", "EUR", "USD", "JPY", "GBP", "AUD", "KRW"))
                value.set("currency", tx_currency)
            value.text = self.amount(tx_currency, usd * rng.uniform(0.5, 1.0) if tx_type in "34" else usd)
            if tx_type in ("3", "4") and rng.random() < 0.3:
                self.narratives(
                    etree.SubElement(transaction, "description"),
                    {default_lang: f"Payment {k} – {titles[default_lang]}"},
                    default_lang,
                )
            if tx_type in ("1", "11"):
                self.org_element(transaction, "provider-org", funder, provider_activity_id=f"{funder.ref}-F{n}")
                self.org_element(transaction, "receiver-org", publisher)
            elif tx_type in ("2", "3"):
                self.org_element(transaction, "provider-org", publisher)
                self.org_element(transaction, "receiver-org", rng.choice(implementers))
            elif rng.random() < 0.5:
                self.org_element(transaction, "receiver-org", rng.choice(implementers))
            if tx_countries:
                etree.SubElement(transaction, "recipient-country", code=rng.choice(tx_countries))
        return activity


class CountingWriter:
    """A binary file wrapper that counts the bytes written through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.handle.write(data)


def write_file(
    path: Path,
    generator: Generator,
    *,
    first: int,
    activities: int | None,
    size_bytes: int | None,
    version: str,
    progress: bool = True,
) -> int:
    """Write one iati-activities file; returns how many activities it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    started = time.perf_counter()
    with path.open("wb") as raw:
        out = CountingWriter(raw)
        with etree.xmlfile(out, encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element("iati-activities", {"version": version, "generated-datetime": GENERATED}):
                while True:
                    if activities is not None and count >= activities:
                        break
                    if size_bytes is not None and out.written >= size_bytes:
                        break
                    xf.write("\n")
                    xf.write(generator.activity(first + count, version))
                    count += 1
                    if progress and count % 10000 == 0:
                        xf.flush()
                        elapsed = time.perf_counter() - started
                        print(
                            f"  {path.name}: {count:,} activities, {out.written / 2**20:,.0f} MB, {elapsed:,.0f} s",
                            file=sys.stderr,
                        )
                xf.write("\n")
        raw.write(b"\n")
    return count


def load_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def validate(path: Path, *, whole_below: int = 64 * 2**20) -> list[str]:
    """Validate against the IATI 2.03 activity schema; returns the errors (empty when valid).

    Small files are validated as one document; larger ones activity by activity (each wrapped in a copy of
    the root element), which checks the same rules while keeping memory flat."""
    schema = load_schema()
    if path.stat().st_size < whole_below:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        document = etree.parse(str(path), parser)
        if schema.validate(document):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log][:50]
    errors: list[str] = []
    root_attrs: dict[str, str] = {}
    for event, element in etree.iterparse(
        str(path), events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
    ):
        if event == "start":
            if element.tag == "iati-activities":
                root_attrs = dict(element.attrib)
            continue
        if element.tag != "iati-activity":
            continue
        wrapper = etree.Element("iati-activities", root_attrs)
        line = element.sourceline
        wrapper.append(element)  # moves it out of the parsed tree: memory stays flat
        if not schema.validate(wrapper):
            errors.extend(f"activity at line {line}: {e.message}" for e in schema.error_log)
            if len(errors) >= 50:
                break
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument("--activities", type=int, help="number of activities (in all files)")
    amount.add_argument("--size-mb", type=float, help="target size in MiB (in all files); stops just past it")
    parser.add_argument("--out", type=Path, required=True, help="output file (a directory with --files > 1)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--iati-version", default="2.03", choices=("2.01", "2.02", "2.03"),
                        help="the version attribute of a single file (default 2.03)")  # fmt: skip
    parser.add_argument(
        "--files", type=int, default=1,
        help="split into N files like a registry dump; versions drawn mostly 2.03, some 2.02 and 2.01",
    )  # fmt: skip
    parser.add_argument("--validate", action="store_true", help="validate what was written against the 2.03 XSD")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    generator = Generator(args.seed)
    started = time.perf_counter()
    paths: list[Path] = []
    total = 0
    if args.files <= 1:
        paths.append(args.out)
        total = write_file(
            args.out, generator, first=1, activities=args.activities,
            size_bytes=int(args.size_mb * 2**20) if args.size_mb else None, version=args.iati_version,
            progress=not args.quiet,
        )  # fmt: skip
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        versions = random.Random(args.seed + 1)
        for i in range(args.files):
            version = "2.03" if i == 0 else versions.choices(("2.03", "2.02", "2.01"), (80, 12, 8))[0]
            path = args.out / f"iati-{i + 1:04d}.xml"
            paths.append(path)
            share = args.activities // args.files + (i < args.activities % args.files) if args.activities else None
            total += write_file(
                path, generator, first=total + 1, activities=share,
                size_bytes=int(args.size_mb * 2**20 / args.files) if args.size_mb else None, version=version,
                progress=not args.quiet,
            )  # fmt: skip
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{total:,} activities, {size / 2**20:,.1f} MiB in {len(paths)} file(s), {elapsed:,.1f} s "
        f"({total / elapsed:,.0f} activities/s)",
        file=sys.stderr,
    )
    if args.validate:
        failed = False
        for path in paths:
            started = time.perf_counter()
            errors = validate(path)
            for error in errors:
                print(f"{path}: {error}", file=sys.stderr)
            failed = failed or bool(errors)
            verdict = "INVALID" if errors else "valid"
            print(f"{path}: {verdict} (IATI 2.03 schema, {time.perf_counter() - started:,.1f} s)", file=sys.stderr)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
