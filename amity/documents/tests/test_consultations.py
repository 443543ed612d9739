"""Consultations on drafts: sending, replies (comments, attachment, no comment), who is late, the DOCX summary."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document as WordDocument

from amity.conftest import client_for, make_user
from amity.core.breaches import BatchRefused
from amity.core.exceptions import PermissionDenied
from amity.documents.choices import ReplyState
from amity.documents.models import Consultation, ConsultationRecipient
from amity.documents.services import (
    ConsultationChange,
    Recipient,
    Reply,
    consultation_close,
    consultation_replies_save,
    consultations_send,
)

from .factories import docx_bytes, make_document, pdf_bytes, upload


@pytest.fixture
def draft(users, hai_phong):
    return make_document(
        users["editor"],
        owning_province=hai_phong,
        status="draft",
        number_symbol="",
        issued_on=None,
        kind="decision",
        title="Quy chế quản lý hoạt động của tổ chức phi chính phủ nước ngoài",
    )


@pytest.fixture
def people(users, hai_phong):
    return {
        "association": make_user("assoc", "provincial_viewer", (hai_phong,)),
        "department": make_user("dept", "provincial_editor", (hai_phong,)),
        "ngo": users["ngo_rep"],
    }


def _send(user, draft, people, *, deadline=None, sent_on=None):
    deadline = deadline or timezone.localdate() + timedelta(days=10)
    [consultation] = consultations_send(
        user=user,
        rows=[
            ConsultationChange(
                draft,
                "Góp ý dự thảo Quy chế",
                deadline,
                [Recipient(person, getattr(person, "organisation", None)) for person in people.values()],
                sent_on=sent_on,
            )
        ],
    )
    return consultation


def _recipient(consultation, user):
    return ConsultationRecipient.objects.get(consultation=consultation, respondent=user)


@pytest.mark.django_db
def test_a_draft_is_sent_and_each_recipient_replies(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    assert consultation.owning_province == draft.owning_province
    consultation_replies_save(
        user=people["association"],
        rows=[Reply(_recipient(consultation, people["association"]), comments="Đề nghị bổ sung Điều 5.")],
    )
    consultation_replies_save(
        user=people["ngo"],
        rows=[
            Reply(
                _recipient(consultation, people["ngo"]),
                attachment=upload("gop-y.docx", docx_bytes("Ý kiến của tổ chức")),
            )
        ],
    )
    consultation_replies_save(
        user=people["department"], rows=[Reply(_recipient(consultation, people["department"]), no_comment=True)]
    )
    states = dict(consultation.recipients.values_list("respondent__username", "state"))
    assert states == {"t-assoc": "comments", "t-ngo_rep": "comments", "t-dept": "no_comment"}
    assert _recipient(consultation, people["ngo"]).attachment_name == "gop-y.docx"


@pytest.mark.django_db
def test_only_a_draft_is_sent_and_bad_input_is_refused(users, hai_phong, draft, people):
    in_force = make_document(users["editor"], owning_province=hai_phong)
    with pytest.raises(BatchRefused) as refused:
        consultations_send(
            user=users["editor"],
            rows=[
                ConsultationChange(in_force, "Góp ý", date(2020, 1, 1), []),
                ConsultationChange(
                    draft,
                    "Góp ý",
                    timezone.localdate(),
                    [Recipient(people["ngo"]), Recipient(people["ngo"]), Recipient(users["inactive"])],
                ),
            ],
        )
    found = {(row.index, row.breach.field) for row in refused.value.breaches}
    assert found == {(0, "document"), (0, "deadline"), (0, "recipients"), (1, "recipients")}
    assert not Consultation.all_objects.exists()


@pytest.mark.django_db
def test_only_the_drafts_keepers_send_it(users, draft, people):
    for name in ("viewer", "son_la_editor", "central", "ngo_rep"):
        with pytest.raises(PermissionDenied):
            _send(users[name], draft, people)


@pytest.mark.django_db
def test_a_reply_needs_comments_or_no_comment_and_never_both(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    mine = _recipient(consultation, people["association"])
    with pytest.raises(BatchRefused):
        consultation_replies_save(user=people["association"], rows=[Reply(mine)])
    with pytest.raises(BatchRefused):
        consultation_replies_save(user=people["association"], rows=[Reply(mine, no_comment=True, comments="x")])
    with pytest.raises(BatchRefused) as refused:  # an attachment that is not what its name says
        consultation_replies_save(
            user=people["association"], rows=[Reply(mine, attachment=upload("y-kien.docx", pdf_bytes("x")))]
        )
    assert refused.value.breaches[0].breach.field == "attachment"
    mine.refresh_from_db()
    assert mine.state == ReplyState.PENDING


@pytest.mark.django_db
def test_a_recipient_answers_only_for_themself_but_the_sender_records_a_paper_reply(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    theirs = _recipient(consultation, people["department"])
    with pytest.raises(PermissionDenied):
        consultation_replies_save(user=people["association"], rows=[Reply(theirs, no_comment=True)])
    consultation_replies_save(user=users["editor"], rows=[Reply(theirs, comments="Theo công văn số 45/SNV")])
    theirs.refresh_from_db()
    assert theirs.answered_by == users["editor"]


@pytest.mark.django_db
def test_no_reply_after_the_consultation_is_closed(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    consultation_close(consultation=consultation, user=users["editor"])
    with pytest.raises(BatchRefused):
        consultation_replies_save(
            user=people["association"], rows=[Reply(_recipient(consultation, people["association"]), no_comment=True)]
        )


@pytest.mark.django_db
def test_the_sender_sees_who_answered_and_who_is_late(users, draft, people):
    today = timezone.localdate()
    consultation = _send(
        users["editor"], draft, people, sent_on=today - timedelta(days=20), deadline=today - timedelta(days=1)
    )
    consultation_replies_save(
        user=people["association"], rows=[Reply(_recipient(consultation, people["association"]), no_comment=True)]
    )
    response = client_for(users["editor"]).get(consultation.get_absolute_url())
    assert response.context["answered"] == 1 and response.context["late"] == 2
    late = {r.respondent.username for r in response.context["recipients"] if r.late}
    assert late == {"t-dept", "t-ngo_rep"}


@pytest.mark.django_db
def test_the_summary_of_comments_is_a_word_document_for_the_sender_only(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    consultation_replies_save(
        user=people["association"],
        rows=[Reply(_recipient(consultation, people["association"]), comments="Đề nghị bổ sung Điều 5.")],
    )
    url = f"/documents/consultations/{consultation.public_id}/summary.docx"
    response = client_for(users["editor"]).get(url)
    assert response.status_code == 200
    word = WordDocument(BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "BẢNG TỔNG HỢP Ý KIẾN GÓP Ý" in text
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cell for cell in cells)  # the report exports' letterhead
    assert "Đề nghị bổ sung Điều 5." in cells
    assert "Chưa có ý kiến." in cells
    assert client_for(people["association"]).get(url).status_code == 404


@pytest.mark.django_db
def test_a_recipient_replies_from_the_page(users, draft, people):
    consultation = _send(users["editor"], draft, people)
    mine = _recipient(consultation, people["ngo"])
    client = client_for(people["ngo"])
    assert client.get(consultation.get_absolute_url()).status_code == 200
    response = client.post(
        f"/documents/consultations/{consultation.public_id}/replies/{mine.public_id}/",
        {"comments": "Không có ý kiến bổ sung", "version": mine.version},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == ReplyState.COMMENTS
    assert client.get(draft.get_absolute_url()).status_code == 200  # the draft is readable to whoever is consulted
