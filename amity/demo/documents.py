"""The demo's official documents: the five the Hải Dương union works from and comments on (source article 1,
`shared/seeds/`), linked as the article tells it.

- Directive 38-CT/TW of the Party Secretariat (19 Sep 2019), on renewing the Viet Nam Union of Friendship
  Organizations: the union disseminated it to its member organisations → linked to the union.
- Directive 12-CT/TW of the Secretariat (5 Jan 2022), on the Party's leadership of people's diplomacy in the new
  situation: carried out by the two plans below.
- Plan 124-KH/TU of the provincial Party Committee's standing board (19 Jan 2023) and Plan 1970/KH-UBND of the
  provincial People's Committee (8 Jun 2023), implementing 12-CT/TW: the union chaired the consultation meeting on
  the first and takes part in both → linked to the union.
- Decision 308/QĐ-UBND of the provincial People's Committee (24 Feb 2023), issuing the province's 2023–2025
  programme for cooperation and mobilisation of non-refundable aid outside ODA, which the union prepared as focal
  point → linked to the union, the committee and the union's aid items of 2023 on (with a DOCX of its text, so
  the search finds words of the file).

The directives are the centre's (written by the demo central officer), the plans and the decision Hải Dương's, now
kept by Hải Phòng (written by the demo editor); all through the documents' services, public, marked `is_demo`.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument

from amity.accounts.models import User
from amity.aid.models import AidItem
from amity.documents.models import Document
from amity.documents.services import DocumentChange, LinkChange, document_links_save, documents_save
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

PROVINCE = "31"  # Hải Phòng, which Hải Dương joined on 1 Jul 2025

CENTRAL = [
    {
        "number_symbol": "38-CT/TW",
        "issued_on": date(2019, 9, 19),
        "issuing_body": "Ban Bí thư Trung ương Đảng",
        "title": "Về tiếp tục đổi mới, nâng cao chất lượng, hiệu quả hoạt động của Liên hiệp các tổ chức hữu nghị "
        "Việt Nam trong tình hình mới",
    },
    {
        "number_symbol": "12-CT/TW",
        "issued_on": date(2022, 1, 5),
        "issuing_body": "Ban Bí thư Trung ương Đảng",
        "title": "Về tăng cường sự lãnh đạo của Đảng, nâng cao hiệu quả công tác đối ngoại nhân dân trong tình "
        "hình mới",
    },
]
PROVINCIAL = [
    {
        "number_symbol": "124-KH/TU",
        "issued_on": date(2023, 1, 19),
        "issuing_body": "Ban Thường vụ Tỉnh ủy Hải Dương",
        "title": "Kế hoạch thực hiện Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư về tăng cường sự lãnh đạo "
        "của Đảng, nâng cao hiệu quả công tác đối ngoại nhân dân trong tình hình mới",
    },
    {
        "number_symbol": "1970/KH-UBND",
        "issued_on": date(2023, 6, 8),
        "issuing_body": "Ủy ban nhân dân tỉnh Hải Dương",
        "title": "Kế hoạch thực hiện Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư về tăng cường sự lãnh đạo "
        "của Đảng, nâng cao hiệu quả công tác đối ngoại nhân dân trong tình hình mới",
    },
    {
        "number_symbol": "308/QĐ-UBND",
        "issued_on": date(2023, 2, 24),
        "effective_from": date(2023, 2, 24),
        "expires_on": date(2025, 12, 31),
        "issuing_body": "Ủy ban nhân dân tỉnh Hải Dương",
        "title": "Ban hành Chương trình hợp tác và vận động viện trợ không hoàn lại không thuộc hỗ trợ phát triển "
        "chính thức của các cơ quan, tổ chức, cá nhân nước ngoài của tỉnh Hải Dương giai đoạn 2023-2025",
        "summary": "Chương trình của tỉnh giai đoạn 2023-2025 về hợp tác và vận động viện trợ phi chính phủ nước "
        "ngoài; Liên hiệp các tổ chức hữu nghị tỉnh là cơ quan đầu mối, chủ trì tham mưu xây dựng.",
    },
]
DECISION_TEXT = (
    "QUYẾT ĐỊNH Ban hành Chương trình hợp tác và vận động viện trợ không hoàn lại không thuộc hỗ trợ phát triển "
    "chính thức của các cơ quan, tổ chức, cá nhân nước ngoài của tỉnh Hải Dương giai đoạn 2023-2025.",
    "Lĩnh vực ưu tiên: giáo dục và đào tạo (học bổng, xây dựng trường học), y tế (khám chữa bệnh, trang thiết bị "
    "y tế), bảo trợ xã hội (hỗ trợ người có hoàn cảnh khó khăn), nông nghiệp và phát triển nông thôn.",
)


def _decision_file() -> SimpleUploadedFile:
    document = WordDocument()
    for paragraph in DECISION_TEXT:
        document.add_paragraph(paragraph)
    out = BytesIO()
    document.save(out)
    return SimpleUploadedFile("308-QD-UBND.docx", out.getvalue())


def _save(user: User, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Document]:
    saved = documents_save(
        user=user,
        rows=[
            DocumentChange(
                {**row, **extra, "public": True, "is_demo": True},
                files=[_decision_file()] if row["number_symbol"] == "308/QĐ-UBND" else [],
            )
            for row in rows
        ],
    )
    return {document.number_symbol: document for document in saved}


def demo_documents_load(union_id: Any, committee_id: Any) -> int:
    """Write the five documents and their links; `union_id` and `committee_id` are the public ids of the Hải
    Dương union and People's Committee. Returns how many documents were written."""
    central = User.objects.get(username="central")
    editor = User.objects.get(username="editor")
    province = AdministrativeUnit.objects.get(era="2025", level="province", code=PROVINCE)
    directives = _save(central, CENTRAL)
    local = _save(editor, PROVINCIAL, owning_province=province)
    directive_12 = directives["12-CT/TW"]
    for number in ("124-KH/TU", "1970/KH-UBND"):
        plan = local[number]
        documents_save(
            user=editor,
            rows=[DocumentChange({"implements": [directive_12]}, pk=plan.pk, expected_version=plan.version)],
        )
    union = Organisation.objects.get(public_id=union_id)
    committee = Organisation.objects.get(public_id=committee_id)
    decision = local["308/QĐ-UBND"]
    programme_items = AidItem.objects.filter(
        is_demo=True, aid_owner=union, planned_start__gte=decision.issued_on, planned_start__lte=date(2025, 12, 31)
    ).order_by("planned_start", "pk")
    document_links_save(
        user=central,
        rows=[LinkChange(directives["38-CT/TW"], union, note="Phổ biến, quán triệt tới các tổ chức thành viên")],
    )
    document_links_save(
        user=editor,
        rows=[
            LinkChange(local["124-KH/TU"], union, note="Chủ trì hội nghị lấy ý kiến xây dựng kế hoạch"),
            LinkChange(local["1970/KH-UBND"], union),
            LinkChange(decision, union, note="Cơ quan đầu mối, chủ trì tham mưu"),
            LinkChange(decision, committee),
            *(LinkChange(decision, item) for item in programme_items),
        ],
    )
    return len(directives) + len(local)


def demo_documents_remove() -> int:
    """Delete the demo documents with their files, links and history."""
    from amity.documents.models import DocumentFile, DocumentLink

    documents = Document.all_objects.filter(is_demo=True)
    count = documents.count()
    ids = list(documents.values_list("pk", flat=True))
    for stored in DocumentFile.all_objects.filter(document_id__in=ids):
        stored.file.delete(save=False)
    DocumentLink.history.filter(document_id__in=ids).delete()
    DocumentFile.history.filter(document_id__in=ids).delete()
    Document.all_objects.filter(pk__in=ids).update(replaced_by=None)
    documents.delete()
    Document.history.filter(is_demo=True).delete()
    return count
