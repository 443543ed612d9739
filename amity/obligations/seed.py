"""The reporting duties of Decree 80/2020, Decree 313/2025 and Decree 58/2022 as rules (`DutyRule`), loaded
when the database is migrated (only the rules missing by code: what administrators changed or removed stays so).
Sources: ../shared/vn/NOTES_legal.md. The notes say which dates are a reading of the decree, not its words."""

from __future__ import annotations

from datetime import date
from typing import Any

from .choices import PeriodKind, Prefill, Reporter, Reviewer

DECREE_80_FROM = date(2020, 9, 17)  # in force 17 Sep 2020
DECREE_80_UNTIL = date(2025, 12, 7)  # replaced by Decree 313/2025 on 8 Dec 2025
DECREE_313_FROM = date(2025, 12, 8)
DECREE_58_FROM = date(2022, 11, 1)

_MANAGING_AGENCY = {
    "recipient_vi": "Cơ quan chủ quản (Ủy ban nhân dân tỉnh)",
    "recipient_en": "The managing agency (the provincial People's Committee)",
    "recipient_ar": "الجهة المشرفة (اللجنة الشعبية للمقاطعة)",
}
_READING_OWNER = (
    "Decree 80/2020 Art. 14.4 says the aid owner reports every 6 months and yearly but sets no day: the 15th of "
    "the month after the half-year and 10 January for the year are Amity's reading, so that the managing agency "
    "can consolidate by 15 January."
)
_READING_313 = (
    "Decree 313/2025 (8 Dec 2025) replaced Decree 80/2020; its detailed articles were not found, so this rule "
    "assumes the same timetable. Check the official text and edit the rule when known."
)


def _aid_owner_rules(prefix: str, basis: str, start: date, until: date | None, note: str) -> list[dict[str, Any]]:
    common = {
        "reporter": Reporter.AID_OWNER,
        "reviewer": Reviewer.PROVINCE,
        "legal_basis": basis,
        "effective_from": start,
        "effective_until": until,
        **_MANAGING_AGENCY,
    }
    return [
        {
            **common,
            "code": f"{prefix}-aid-owner-half-year",
            "name_vi": "Báo cáo 6 tháng về tiếp nhận, thực hiện và giải ngân khoản viện trợ",
            "name_en": "Six-monthly report on receipt, implementation and disbursement of the aid",
            "name_ar": "تقرير نصف سنوي عن استلام المعونة وتنفيذها وصرفها",
            "period_kind": PeriodKind.FIRST_HALF,
            "due_months_after": 1,
            "due_day": 15,
            "prefill": Prefill.AID_DISBURSEMENTS,
            "note": note or _READING_OWNER,
        },
        {
            **common,
            "code": f"{prefix}-aid-owner-annual",
            "name_vi": "Báo cáo năm về tiếp nhận, thực hiện và giải ngân khoản viện trợ",
            "name_en": "Annual report on receipt, implementation and disbursement of the aid",
            "name_ar": "تقرير سنوي عن استلام المعونة وتنفيذها وصرفها",
            "period_kind": PeriodKind.YEAR,
            "due_months_after": 1,
            "due_day": 10,
            "prefill": Prefill.AID_DISBURSEMENTS,
            "note": note or _READING_OWNER,
        },
        {
            **common,
            "code": f"{prefix}-aid-owner-completion",
            "name_vi": "Báo cáo kết thúc khoản viện trợ",
            "name_en": "Completion report of the aid",
            "name_ar": "تقرير إنجاز المعونة",
            "period_kind": PeriodKind.COMPLETION,
            "due_months_after": 6,
            "due_day": None,
            "prefill": Prefill.AID_DISBURSEMENTS,
            "note": note
            or "Within 6 months of the end of the aid (Decree 80/2020 Art. 14.4), counted from its actual end.",
        },
    ]


RULES: list[dict[str, Any]] = [
    *_aid_owner_rules("d80", "Nghị định 80/2020/NĐ-CP, Điều 14.4", DECREE_80_FROM, DECREE_80_UNTIL, ""),
    {
        "code": "d80-province-annual",
        "name_vi": "Báo cáo năm về tình hình giải ngân, sử dụng và kết quả vận động viện trợ",
        "name_en": "Annual report on disbursement, use and mobilisation of aid",
        "name_ar": "التقرير السنوي عن صرف المعونات واستخدامها وحشدها",
        "reporter": Reporter.PROVINCE,
        "reviewer": Reviewer.CENTRE,
        "recipient_vi": "Bộ Kế hoạch và Đầu tư, Bộ Tài chính",
        "recipient_en": "Ministry of Planning and Investment, Ministry of Finance",
        "recipient_ar": "وزارة التخطيط والاستثمار، وزارة المالية",
        "legal_basis": "Nghị định 80/2020/NĐ-CP, Điều 13.9",
        "period_kind": PeriodKind.YEAR,
        "due_months_after": 1,
        "due_day": 15,
        "prefill": Prefill.PROVINCE_NGO_FIGURES,
        "effective_from": DECREE_80_FROM,
        "effective_until": DECREE_80_UNTIL,
        "note": "By 15 January of the next year (the decree's words).",
    },
    *_aid_owner_rules("d313", "Nghị định 313/2025/NĐ-CP", DECREE_313_FROM, None, _READING_313),
    {
        "code": "d313-province-annual",
        "name_vi": "Báo cáo năm về tình hình giải ngân, sử dụng và kết quả vận động viện trợ",
        "name_en": "Annual report on disbursement, use and mobilisation of aid",
        "name_ar": "التقرير السنوي عن صرف المعونات واستخدامها وحشدها",
        "reporter": Reporter.PROVINCE,
        "reviewer": Reviewer.CENTRE,
        "recipient_vi": "Bộ Tài chính",
        "recipient_en": "Ministry of Finance",
        "recipient_ar": "وزارة المالية",
        "legal_basis": "Nghị định 313/2025/NĐ-CP",
        "period_kind": PeriodKind.YEAR,
        "due_months_after": 1,
        "due_day": 15,
        "prefill": Prefill.PROVINCE_NGO_FIGURES,
        "effective_from": DECREE_313_FROM,
        "effective_until": None,
        "note": _READING_313 + " The Ministry of Planning and Investment was merged into the Ministry of Finance "
        "on 1 Mar 2025 (Decree 29/2025).",
    },
    {
        "code": "d58-form-04",
        "name_vi": "Báo cáo năm về công tác quản lý hoạt động của các tổ chức phi chính phủ nước ngoài (Mẫu 04)",
        "name_en": "Annual report on the management of foreign NGO activities (Form 04)",
        "name_ar": "التقرير السنوي عن إدارة أنشطة المنظمات غير الحكومية الأجنبية (النموذج 04)",
        "form_number": "04",
        "reporter": Reporter.PROVINCE,
        "reviewer": Reviewer.CENTRE,
        "recipient_vi": "Bộ Ngoại giao, Ủy ban công tác về các tổ chức phi chính phủ nước ngoài",
        "recipient_en": "Ministry of Foreign Affairs, Committee for Foreign NGO Affairs (COMINGO)",
        "recipient_ar": "وزارة الخارجية، لجنة شؤون المنظمات غير الحكومية الأجنبية",
        "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 24",
        "period_kind": PeriodKind.NGO_YEAR,
        "due_months_after": 0,
        "due_day": 18,
        "prefill": Prefill.PROVINCE_NGO_FIGURES,
        "effective_from": DECREE_58_FROM,
        "effective_until": None,
        "note": "Period 15 December to 14 December, due on the 18th of the last month (the decree's words).",
    },
    {
        "code": "d58-form-05",
        "name_vi": "Báo cáo năm của tổ chức phi chính phủ nước ngoài (Mẫu 05)",
        "name_en": "Annual report of the foreign NGO (Form 05)",
        "name_ar": "التقرير السنوي للمنظمة غير الحكومية الأجنبية (النموذج 05)",
        "form_number": "05",
        "reporter": Reporter.NGO,
        "reviewer": Reviewer.PROVINCE,
        "recipient_vi": "Bộ Ngoại giao, cơ quan liên quan và Ủy ban công tác về các TCPCPNN; Sở Ngoại vụ tỉnh",
        "recipient_en": "MoFA, the ministries concerned and COMINGO; the provincial foreign-affairs department",
        "recipient_ar": (
            "وزارة الخارجية والوزارات المعنية ولجنة شؤون المنظمات غير الحكومية الأجنبية؛ "
            "دائرة الشؤون الخارجية في المقاطعة"
        ),
        "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 21",
        "period_kind": PeriodKind.NGO_YEAR,
        "due_months_after": 0,
        "due_day": 18,
        "prefill": Prefill.NONE,
        "effective_from": DECREE_58_FROM,
        "effective_until": None,
        "note": (
            "Period 15 December to 14 December, due on the 18th of the last month (the decree's words). The decree "
            "sends Form 05 to MoFA, MPI, the line ministry and COMINGO; routing it to the foreign-affairs office of "
            "each province the registration covers, which reviews it and uses it for its Form 04, is Amity's "
            "reading (Art. 24 makes that office the focal point). Central officers see every Form 05."
        ),
    },
]


def duty_rules_seed(*, using: str = "default") -> int:
    """Add the rules above that are missing by code (deleted ones included: an administrator's removal stands);
    returns how many were added. System data, with a history row like any rule."""
    from .models import DutyRule

    present = set(DutyRule.all_objects.using(using).values_list("code", flat=True))
    added = 0
    for fields in RULES:
        if fields["code"] in present:
            continue
        rule = DutyRule(**fields)
        rule._change_reason = "Loaded with Amity (reference rules)"  # type: ignore[attr-defined]
        rule.full_clean()
        rule.save(using=using)
        added += 1
    return added
