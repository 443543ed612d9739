"""A consultation's summary of comments as a Word document, for the reply letter: the letterhead of Decree 30/2020,
"BẢNG TỔNG HỢP Ý KIẾN GÓP Ý" on the draft, who was asked and by when, who answered and who did not, each unit's
comments in a table, then the recipients and the signature. Built from the report app's pieces of the same layout
(`amity.reports.exports.docx`), always in Vietnamese, as an administrative document is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from io import BytesIO
from typing import IO

from django.http import HttpResponse
from django.utils import translation
from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT

from amity.core.text import xml_text
from amity.reports.exports.docx import (
    CONTENT_TYPE,
    FILED,
    LANGUAGE,
    TABLE_SIZE,
    TEXT_WIDTH_MM,
    add_text,
    body_paragraph,
    default_letterhead,
    letterhead_table,
    page_setup,
    set_widths,
    signature_block,
    title_block,
)

from .choices import ReplyState
from .models import Consultation, ConsultationRecipient

KIND = "BẢNG TỔNG HỢP Ý KIẾN GÓP Ý"
NUMBER = "      /TH-LHHN"
HEADINGS = ("STT", "Cơ quan, đơn vị", "Ý kiến góp ý", "Ghi chú")
NO_COMMENT = "Thống nhất với dự thảo, không có ý kiến khác."
NOT_ANSWERED = "Chưa có ý kiến."
LATE = "Quá hạn"
ATTACHED = "Kèm văn bản: %s"
WIDTHS_MM = (12.0, 48.0, TEXT_WIDTH_MM - 12.0 - 48.0 - 28.0, 28.0)


def _date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _unit(recipient: ConsultationRecipient) -> str:
    if recipient.organisation is not None:
        return recipient.organisation.name_vi or recipient.organisation.name
    person = recipient.respondent
    return person.get_full_name() or person.username


def summary_response(consultation: Consultation, *, today: date) -> HttpResponse:
    """The summary as a download (the page and the API)."""
    stream = BytesIO()
    recipients = consultation.recipients.select_related("respondent", "organisation").order_by("pk")
    summary_docx(consultation, list(recipients), stream, today=today)
    response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="consultation-{consultation.public_id}.docx"'
    return response


def summary_docx(
    consultation: Consultation, recipients: Sequence[ConsultationRecipient], stream: IO[bytes], *, today: date
) -> None:
    """Write the summary of `consultation` with its `recipients` (with their respondent and organisation)."""
    with translation.override(LANGUAGE):
        letterhead = replace(
            default_letterhead(consultation.owning_province, today=today), number=NUMBER, recipients=(FILED,)
        )
        draft = consultation.document
        answered = [r for r in recipients if r.state != ReplyState.PENDING]
        silent = [r for r in recipients if r.state == ReplyState.NO_COMMENT]
        pending = [r for r in recipients if r.state == ReplyState.PENDING]
        document = WordDocument()
        page_setup(document)
        letterhead_table(document, letterhead)
        title_block(document, f"Dự thảo {draft.title}", kind=KIND)
        body_paragraph(
            document,
            f"Ngày {_date(consultation.sent_on)}, dự thảo “{draft.title}” đã được gửi xin ý kiến "
            f"{len(recipients)} cơ quan, đơn vị; thời hạn góp ý đến ngày {_date(consultation.deadline)}.",
        )
        body_paragraph(
            document,
            f"Đến ngày {_date(today)}, đã nhận được ý kiến của {len(answered)} cơ quan, đơn vị "
            f"({len(answered) - len(silent)} có ý kiến góp ý, {len(silent)} thống nhất không có ý kiến khác); "
            f"{len(pending)} cơ quan, đơn vị chưa có ý kiến.",
        )
        body_paragraph(document, "Tổng hợp cụ thể như sau:")
        table = document.add_table(rows=1, cols=len(HEADINGS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, heading in zip(table.rows[0].cells, HEADINGS, strict=True):
            add_text(cell.paragraphs[0], heading, size=TABLE_SIZE, bold=True)
        for number, recipient in enumerate(recipients, start=1):
            if recipient.state == ReplyState.COMMENTS:
                comment = recipient.comments
                if recipient.attachment_name:
                    comment = "\n".join(part for part in (comment, ATTACHED % recipient.attachment_name) if part)
            elif recipient.state == ReplyState.NO_COMMENT:
                comment = NO_COMMENT
            else:
                comment = NOT_ANSWERED
            note = ""
            if recipient.answered_at is not None:
                note = _date(recipient.answered_at.date())
            elif consultation.deadline < today:
                note = LATE
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(number), _unit(recipient), comment, note), strict=True):
                lines = text.split("\n")
                add_text(cell.paragraphs[0], lines[0], size=TABLE_SIZE)
                for line in lines[1:]:
                    add_text(cell.add_paragraph(), line, size=TABLE_SIZE)
        set_widths(table, list(WIDTHS_MM))
        signature_block(document, letterhead)
        document.core_properties.title = xml_text(f"{KIND} – {draft.title}")
        document.core_properties.language = LANGUAGE
        document.save(stream)
