"""Writes on the document register: documents with their files, links to records, consultations and replies.
Pages, the API, the admin and the demo loader call these; each is batch-first (`core.breaches`): every row checked
before anything is written, every breach of every row collected, `dry_run=True` writes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amity.core import bulk
from amity.core.breaches import Breach, Breaches
from amity.core.exceptions import PermissionDenied
from amity.core.files import ATTACHMENTS, DOCUMENTS, check_upload, sniffed_kind
from amity.core.scoping import Action
from amity.core.services import (
    apply_fields,
    check_version,
    claim_versions,
    ensure_all_allowed,
    ensure_may_add,
    record_restore,
    record_soft_delete,
    save_with_history,
)
from amity.reference.choices import Era, UnitLevel

from . import links, numbers, search
from .choices import DocumentKind, DocumentStatus, ReplyState, TextState
from .extraction import extract_text
from .models import Consultation, ConsultationRecipient, Document, DocumentFile, DocumentLink

# --- messages (English source texts, translated when shown) ---------------------------------------------------

NUMBER_UNREAD = gettext_noop(
    "The number “%(number)s” is not in a known form (such as 308/QĐ-UBND or 38-CT/TW); it is kept as typed."
)
KIND_DIFFERS = gettext_noop("The number says %(number_kind)s (%(abbreviation)s), but the kind chosen is %(kind)s.")
KIND_NEEDED = gettext_noop("Choose the kind: the number does not say it.")
NUMBER_NEEDED = gettext_noop("A document that is no longer a draft needs its number and symbol.")
ISSUED_NEEDED = gettext_noop("A document that is no longer a draft needs its date of issue.")
REPLACED_NEEDS = gettext_noop("Name the document that replaces this one.")
REPLACED_ONLY = gettext_noop("Only a replaced document names the document that replaces it.")
REPLACES_ITSELF = gettext_noop("A document cannot replace itself.")
EFFECTIVE_BEFORE = gettext_noop("A document cannot take effect before it is issued.")
EXPIRES_BEFORE = gettext_noop("The expiry date must be after the date it takes effect.")
IMPLEMENTS_ITSELF = gettext_noop("A document cannot implement itself.")
PROVINCE_ERA = gettext_noop("Choose a province of the current era.")
DUPLICATE = gettext_noop("%(number)s of %(year)s is already recorded for this issuing body.")
DUPLICATE_IN_BATCH = gettext_noop("%(number)s appears twice in this batch.")
DRAFT_ONLY = gettext_noop("Only a draft is sent for comments.")
DEADLINE_PAST = gettext_noop("The deadline cannot be before the day it is sent.")
NO_RECIPIENTS = gettext_noop("Choose at least one recipient.")
RECIPIENT_TWICE = gettext_noop("%(user)s is chosen twice.")
RECIPIENT_INACTIVE = gettext_noop("%(user)s cannot sign in, so cannot answer.")
CLOSED = gettext_noop("This consultation is closed; no reply can be changed.")
COMMENTS_NEEDED = gettext_noop("Write the comments, attach them, or answer “no comment”.")
NO_COMMENT_ALONE = gettext_noop("“No comment” takes no comments or attachment.")
NOT_LINKABLE = gettext_noop("Documents cannot be linked to this kind of record.")


@dataclass(frozen=True)
class DocumentChange:
    """One document for `documents_save`: a new one (no `pk`) or a stored one (its `pk` and the version the user
    saw), its fields (`implements`: a list of documents), and files to add (uploaded files, checked here)."""

    data: Mapping[str, Any]
    files: Sequence[File[Any]] = ()
    pk: int | None = None
    expected_version: int | None = None


def number_warnings(document: Document) -> list[Breach]:
    """What the number says that the user should look at, without refusing the document: a number in no known
    form (kept as typed), or a kind other than the number's."""
    if not document.number_symbol:
        return []
    parsed = numbers.parse(document.number_symbol)
    if not parsed.parsed:
        return [Breach("number_symbol", NUMBER_UNREAD, {"number": document.number_symbol})]
    if parsed.kind is not None and document.kind and parsed.kind != document.kind:
        return [
            Breach(
                "kind",
                KIND_DIFFERS,
                {
                    "number_kind": str(parsed.kind.label),
                    "abbreviation": parsed.abbreviation or parsed.issuer,
                    "kind": document.get_kind_display(),
                },
            )
        ]
    return []


def _apply_number(document: Document) -> None:
    """Keep what the number says beside it; the kind taken from the number when none was chosen."""
    typed = (document.number_symbol or "").strip()
    parsed = numbers.parse(typed) if typed else numbers.DocumentNumber("", False)
    # A number read is kept tidied ("38 - CT / TW" → "38-CT/TW"); one in no known form exactly as typed.
    document.number_symbol = parsed.text if parsed.parsed else typed
    document.number_parsed = parsed.parsed
    document.number = parsed.number
    document.number_year = parsed.year
    document.kind_abbreviation = parsed.abbreviation
    document.issuer_code = parsed.issuer
    if not document.kind and parsed.kind is not None:
        document.kind = parsed.kind


def _check_document(document: Document, implements: Sequence[Document] | None) -> None:
    """The rules of one document, each raised as a Breach on its field (the caller collects them)."""
    found: list[Breach] = []
    if not document.kind:
        found.append(Breach("kind", KIND_NEEDED))
    if document.status != DocumentStatus.DRAFT:
        if not document.number_symbol:
            found.append(Breach("number_symbol", NUMBER_NEEDED))
        if document.issued_on is None:
            found.append(Breach("issued_on", ISSUED_NEEDED))
    if document.status == DocumentStatus.REPLACED and document.replaced_by_id is None:
        found.append(Breach("replaced_by", REPLACED_NEEDS))
    if document.status != DocumentStatus.REPLACED and document.replaced_by_id is not None:
        found.append(Breach("replaced_by", REPLACED_ONLY))
    if document.pk is not None and document.replaced_by_id == document.pk:
        found.append(Breach("replaced_by", REPLACES_ITSELF))
    if document.pk is not None and any(other.pk == document.pk for other in implements or ()):
        found.append(Breach("implements", IMPLEMENTS_ITSELF))
    if document.issued_on and document.effective_from and document.effective_from < document.issued_on:
        found.append(Breach("effective_from", EFFECTIVE_BEFORE))
    start = document.effective_from or document.issued_on
    if start and document.expires_on and document.expires_on <= start:
        found.append(Breach("expires_on", EXPIRES_BEFORE))
    province = document.owning_province
    if province is not None and (province.era != Era.CURRENT or province.level != UnitLevel.PROVINCE):
        found.append(Breach("owning_province", PROVINCE_ERA))
    if found:
        raise _Several(found)


class _Several(Exception):
    def __init__(self, breaches: list[Breach]) -> None:
        self.breaches = breaches


def _identity(document: Document) -> tuple[str, str, int | None] | None:
    """What makes a number unique: the number as read, the issuing body and the year of issue."""
    if not document.number_symbol:
        return None
    year = document.issued_on.year if document.issued_on else None
    body = search.normalise(document.issuing_body or document.issuer_code)
    return search.normalise(document.number_symbol), body, year


def _check_duplicates(found: Breaches, documents: Sequence[Document]) -> None:
    """A number names one document of its issuing body and year, within the batch and against those stored
    (deleted ones included: they can be restored)."""
    given: dict[tuple[str, str, int | None], int] = {}
    for index, document in enumerate(documents):
        identity = _identity(document)
        if identity is None:
            continue
        if identity in given:
            found.add(index, Breach("number_symbol", DUPLICATE_IN_BATCH, {"number": document.number_symbol}))
        else:
            given[identity] = index
    if not given:
        return
    typed = {document.number_symbol for document in documents if document.number_symbol}
    read = {document.number for document in documents if document.number}
    candidates = Document.all_objects.filter(Q(number_symbol__in=typed) | Q(number__in=read)).only(
        "pk", "number_symbol", "issuing_body", "issuer_code", "issued_on"
    )
    for stored in candidates:
        identity = _identity(stored)
        found_index = given.get(identity) if identity else None
        if found_index is not None and documents[found_index].pk != stored.pk:
            year = stored.issued_on.year if stored.issued_on else "—"
            found.add(found_index, Breach("number_symbol", DUPLICATE, {"number": stored.number_symbol, "year": year}))


def _check_files(found: Breaches, index: int, uploads: Sequence[File[Any]]) -> None:
    for upload in uploads:
        for breach in check_upload(upload, kinds=DOCUMENTS, field="upload"):
            found.add(index, breach)


def documents_save(
    *, user: Any, rows: Sequence[DocumentChange], reason: str | Promise = "", dry_run: bool = False
) -> list[Document]:
    """Create and change documents, with files to add, in one atomic write: the one writer of documents.

    The user may add documents and change the stored ones (the scope policy: a refusal is a 403 for the batch); the
    number is read (`numbers.parse`: a number in no known form is kept as typed, `number_warnings` says so), the kind
    taken from it when none is chosen; a document no longer a draft has its number and date; replaced documents name
    the replacing one; dates in order; one number per issuing body and year; every file checked by its content,
    extension and size (`core.files.check_upload`). Then each document saved with its history, its files stored,
    its search text kept, the scope checked again on the result; the files' text is read after the commit (in the
    request for small files, by the task worker for large ones)."""
    if not rows:
        return []
    ids = {row.pk for row in rows if row.pk is not None}
    with transaction.atomic():
        if len(ids) < len(rows):
            ensure_may_add(user=user, model=Document)
        ensure_all_allowed(model=Document, user=user, pks=ids, action=Action.CHANGE)
        stored = {
            document.pk: document
            for document in Document.all_objects.filter(pk__in=ids).select_related("owning_province")
        }
        found = Breaches()
        documents: list[Document] = []
        for index, row in enumerate(rows):
            document = Document() if row.pk is None else stored[row.pk]
            if row.pk is not None and dry_run:
                with found.row(index):
                    check_version(stored=document.version, expected=row.expected_version)
            data = dict(row.data)
            implements = data.pop("implements", None)
            apply_fields(document, data)
            _apply_number(document)
            try:
                _check_document(document, implements)
            except _Several as several:
                for breach in several.breaches:
                    found.add(index, breach)
            with found.row(index):
                # Foreign keys are the caller's lookups in the user's scope; an empty kind is KIND_NEEDED above.
                excluded = ["replaced_by", "owning_province"] + ([] if document.kind else ["kind"])
                document.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
            _check_files(found, index, row.files)
            documents.append(document)
        _check_duplicates(found, documents)
        found.refuse()
        if dry_run:
            return documents
        claim_versions(
            model=Document,
            claims=[(doc, row.expected_version) for doc, row in zip(documents, rows, strict=True) if row.pk],
        )
        new_files = _documents_write(documents, rows, user=user, reason=reason)
        ensure_all_allowed(
            model=Document,
            user=user,
            pks={doc.pk for doc, row in zip(documents, rows, strict=True) if row.pk is None},
            action=Action.ADD,
        )
        ensure_all_allowed(model=Document, user=user, pks=ids, action=Action.CHANGE)
        if new_files:
            transaction.on_commit(lambda: _read_later([file.pk for file in new_files], [f.size for f in new_files]))
    return documents


# The columns a document's write sets: all but its identity and creation stamp.
_WRITTEN = [
    field.attname
    for field in Document._meta.concrete_fields
    if not field.primary_key and field.attname not in ("public_id", "created_at")
]


def _documents_write(
    documents: Sequence[Document], rows: Sequence[DocumentChange], *, user: Any, reason: str | Promise
) -> list[DocumentFile]:
    """Write checked documents in a fixed number of statements, however many (`core.bulk`): the new ones inserted
    and the stored ones updated, each with its history row (the user, the reason); the documents they implement and
    the history's record of them; their files; their search text and index. Returns the files added."""
    when = timezone.now()
    with translation.override(None):
        because = str(reason)  # kept as its English source text, translated when shown (as save_with_history)
    stored = [document for document, row in zip(documents, rows, strict=True) if row.pk is not None]
    added = [document for document, row in zip(documents, rows, strict=True) if row.pk is None]
    texts = _file_texts([document.pk for document in stored])
    for document in documents:
        document.search_text = _search_text(document, texts.get(document.pk, []))
    bulk.create_records(Document, added, user=user, reason=because, when=when)
    bulk.update_records(Document, stored, _WRITTEN, user=user, reason=because, when=when)
    implements = {
        document.pk: list(row.data["implements"] or [])
        for document, row in zip(documents, rows, strict=True)
        if "implements" in row.data
    }
    _implements_write(implements, [document.pk for document in documents], when=when)
    new_files = _store_files(
        [(document, upload) for document, row in zip(documents, rows, strict=True) for upload in row.files],
        user=user,
        reason=because,
        when=when,
    )
    search.index_documents([(document.pk, document.search_text) for document in documents])
    return new_files


def _implements_write(implements: Mapping[int, Sequence[Document]], written: Sequence[int], *, when: Any) -> None:
    """Set the documents each document implements (`implements`: document id → those it implements; documents not
    named keep theirs) and, for the history rows just written for `written`, what each implemented then (the
    history of `implements`, as django-simple-history keeps it). Four statements."""
    through = Document.implements.through
    if implements:
        through.objects.filter(from_document_id__in=list(implements)).delete()
        through.objects.bulk_create(
            [
                through(from_document_id=pk, to_document_id=other.pk)
                for pk, others in implements.items()
                for other in others
            ]
        )
    history = Document.history.model
    rows = list(history.objects.filter(id__in=written, history_date=when).values_list("history_id", "id"))
    current: dict[int, list[tuple[int, int]]] = {}
    for link_id, source, target in through.objects.filter(from_document_id__in=written).values_list(
        "id", "from_document_id", "to_document_id"
    ):
        current.setdefault(source, []).append((link_id, target))
    snapshot = apps.get_model("documents", "HistoricalDocument_implements")  # the history's table of `implements`
    snapshot.objects.bulk_create(
        [
            snapshot(id=link_id, from_document_id=document_id, to_document_id=target, history_id=history_id)
            for history_id, document_id in rows
            for link_id, target in current.get(document_id, [])
        ]
    )


def _store_files(
    uploads: Sequence[tuple[Document, File[Any]]], *, user: Any, reason: str, when: Any
) -> list[DocumentFile]:
    """Store the uploaded files (each in the storage) and their records with history, in one insert."""
    stored: list[DocumentFile] = []
    for document, upload in uploads:
        kind = sniffed_kind(upload)
        name = PurePosixPath(upload.name or "file").name[:255]
        document_file = DocumentFile(
            document=document, name=name, file_kind=kind.name if kind else "", size=upload.size or 0
        )
        upload.seek(0)
        document_file.file.save(name, upload, save=False)
        stored.append(document_file)
    bulk.create_records(DocumentFile, stored, user=user, reason=reason, when=when)
    return stored


def _read_later(file_ids: list[int], sizes: list[int]) -> None:
    """Read the text of small files now (the request that uploaded them, after its commit), of large ones by the
    task worker, so that an upload never waits on a long PDF."""
    from .tasks import read_document_files

    inline_max = int(settings.AMITY_DOCUMENT_TEXT_INLINE_BYTES)
    small = [pk for pk, size in zip(file_ids, sizes, strict=True) if size <= inline_max]
    large = [pk for pk, size in zip(file_ids, sizes, strict=True) if size > inline_max]
    if small:
        document_files_read(file_ids=small)
    if large:
        read_document_files.enqueue(large)


def document_files_read(*, file_ids: Sequence[int]) -> int:
    """Read the text of these files (those still pending), store it and refresh their documents' search."""
    read = 0
    documents: set[int] = set()
    for document_file in DocumentFile.all_objects.filter(pk__in=file_ids, text_state=TextState.PENDING):
        with document_file.file.open("rb") as stream:
            text, state = extract_text(stream, document_file.file_kind)
        DocumentFile.all_objects.filter(pk=document_file.pk).update(text=text, text_state=state)
        documents.add(document_file.document_id)
        read += 1
    with transaction.atomic():
        documents_reindex(sorted(documents))
    return read


def _file_texts(document_ids: Sequence[int]) -> dict[int, list[str]]:
    """The text read from the live files of these documents, by document: one query."""
    texts: dict[int, list[str]] = {}
    for document_id, text in DocumentFile.objects.filter(document_id__in=list(document_ids)).values_list(
        "document_id", "text"
    ):
        texts.setdefault(document_id, []).append(text)
    return texts


def _search_text(document: Document, file_texts: Sequence[str]) -> str:
    """What the search reads of a document, normalised: the kind's name in Vietnamese and English ("quyết định 308"
    finds Decision 308/QĐ-UBND), number, title, summary, issuing body, signer and the text of its files."""
    kind = DocumentKind(document.kind) if document.kind in DocumentKind.values else None
    names = [str(_kind_name(kind, language)) for language in ("vi", "en")] if kind else []
    body = " ".join(
        [
            *names,
            document.number_symbol,
            document.title,
            document.summary,
            document.issuing_body,
            document.signer,
            *file_texts,
        ]
    )
    return search.normalise(body)


def documents_reindex(document_ids: Sequence[int]) -> None:
    """Keep `search_text` (and SQLite's index of it) for these documents (their files' text read, a file removed):
    three queries and one batch of updates however many documents."""
    texts = _file_texts(document_ids)
    rows: list[tuple[int, str]] = []
    for document in Document.all_objects.filter(pk__in=list(document_ids)).only(
        "pk", "kind", "number_symbol", "title", "summary", "issuing_body", "signer"
    ):
        rows.append((document.pk, _search_text(document, texts.get(document.pk, []))))
    bulk.update_rows(Document, ["search_text"], [(pk, text) for pk, text in rows])
    search.index_documents(rows)


def _kind_name(kind: DocumentKind, language: str) -> str:
    with translation.override(language):
        return str(kind.label)


def document_delete(*, document: Document, user: Any, expected_version: int | None = None) -> Document:
    return record_soft_delete(instance=document, user=user, expected_version=expected_version)


def document_restore(*, document: Document, user: Any) -> Document:
    return record_restore(instance=document, user=user)


def document_file_delete(*, document_file: DocumentFile, user: Any) -> DocumentFile:
    """Remove a file from its document (soft: it stays stored and in the history), and its words from the search."""
    with transaction.atomic():
        record_soft_delete(instance=document_file, user=user)
        documents_reindex([document_file.document_id])
    return document_file


# --- links to records -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkChange:
    """Link `document` to `record` (a record of a kind registered in `links`), or remove that link."""

    document: Document
    record: Any
    remove: bool = False
    note: str = ""


def _allowed_pks(model: type[Any], pks: set[int], user: Any, action: str) -> set[int]:
    if not pks:
        return set()
    return set(model.all_objects.restrict(user, action).filter(pk__in=pks).values_list("pk", flat=True))


def document_links_save(*, user: Any, rows: Sequence[LinkChange], dry_run: bool = False) -> list[DocumentLink]:
    """Add and remove links between documents and records in one atomic write: the one writer of links.

    Whoever links must see both the document and the record, and may change at least one of them (a province links
    its aid item to the central directive it follows; the centre links its directive to any record it reads): else a
    403 for the batch. A record of a kind no app registered is a breach of its row. Adding a link that exists, or
    removing one that does not, changes nothing. Per kind of record, one query for what the user may see and one for
    what they may change; then a fixed number of statements to write, however many links (`core.bulk`, each link
    added or removed with its history row naming the user)."""
    found = Breaches()
    for index, row in enumerate(rows):
        if links.key_of(type(row.record)) is None or row.record.pk is None:
            found.add(index, Breach("record", NOT_LINKABLE))
    found.refuse()
    if not rows:
        return []
    document_ids = {row.document.pk for row in rows}
    visible = _allowed_pks(Document, document_ids, user, Action.VIEW)
    changeable = _allowed_pks(Document, document_ids, user, Action.CHANGE)
    by_model: dict[type[Any], set[int]] = {}
    for row in rows:
        by_model.setdefault(type(row.record), set()).add(row.record.pk)
    record_visible = {model: _allowed_pks(model, pks, user, Action.VIEW) for model, pks in by_model.items()}
    record_changeable = {model: _allowed_pks(model, pks, user, Action.CHANGE) for model, pks in by_model.items()}
    for row in rows:
        model = type(row.record)
        sees_both = row.document.pk in visible and row.record.pk in record_visible[model]
        changes_one = row.document.pk in changeable or row.record.pk in record_changeable[model]
        if not (sees_both and changes_one):
            raise PermissionDenied(_("You are not allowed to link this document to this record."))
    keys = [(row.document.pk, ContentType.objects.get_for_model(type(row.record)).pk, row.record.pk) for row in rows]
    for index, row in enumerate(rows):
        with found.row(index):
            DocumentLink(note=row.note).full_clean(
                exclude=["document", "content_type", "object_id"], validate_unique=False, validate_constraints=False
            )
    found.refuse()
    if dry_run:
        return []
    with transaction.atomic():
        # The links stored between these documents and records: one query.
        wanted = Q()
        for _document, content_type_id, object_id in keys:
            wanted |= Q(content_type_id=content_type_id, object_id=object_id)
        stored = {
            (link.document_id, link.content_type_id, link.object_id): link
            for link in DocumentLink.objects.filter(wanted, document_id__in=document_ids)
        }
        added: dict[tuple[int, int, int], DocumentLink] = {}
        removed: dict[tuple[int, int, int], DocumentLink] = {}
        saved: list[DocumentLink] = []
        for row, key in zip(rows, keys, strict=True):
            if row.remove:
                added.pop(key, None)
                if key in stored:
                    removed[key] = stored.pop(key)
                continue
            link = stored.get(key) or added.get(key)
            if link is None:
                link = removed.pop(key, None) or DocumentLink(
                    document=row.document, content_type_id=key[1], object_id=key[2], note=row.note
                )
                if link.pk is None:
                    added[key] = link
                else:
                    stored[key] = link  # removed and linked again in the batch: it stays
            saved.append(link)
        # Removed links: their `-` history rows with the user, then the rows; added ones with their `+` rows.
        bulk.insert_history(DocumentLink, list(removed.values()), history_type="-", user=user)
        bulk.delete_rows(DocumentLink, [link.pk for link in removed.values()])
        bulk.create_records(DocumentLink, list(added.values()), user=user)
    gone = {link.pk for link in removed.values()}
    return [link for link in saved if link.pk is not None and link.pk not in gone]


# --- consultations on drafts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    respondent: Any  # a user
    organisation: Any = None  # the unit or association they answer for


@dataclass(frozen=True)
class ConsultationChange:
    """A consultation to send: the draft, subject, message, deadline and recipients."""

    document: Document
    subject: str
    deadline: date
    recipients: Sequence[Recipient]
    message: str = ""
    sent_on: date | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def consultations_send(*, user: Any, rows: Sequence[ConsultationChange], dry_run: bool = False) -> list[Consultation]:
    """Send drafts for comments: the one writer of new consultations. The user may change the draft (its province's
    staff, or a central officer for the centre's) — a 403 for the batch otherwise —; the document is a draft, the
    deadline not before the day it is sent, at least one recipient, each once and able to sign in."""
    if not rows:
        return []
    ensure_may_add(user=user, model=Consultation)
    ensure_all_allowed(model=Document, user=user, pks={row.document.pk for row in rows}, action=Action.CHANGE)
    found = Breaches()
    consultations: list[Consultation] = []
    today = timezone.localdate()
    for index, row in enumerate(rows):
        sent_on = row.sent_on or today
        consultation = Consultation(
            document=row.document,
            subject=row.subject,
            message=row.message,
            deadline=row.deadline,
            sent_on=sent_on,
            sent_by=user,
            owning_province=row.document.owning_province,
        )
        if row.document.status != DocumentStatus.DRAFT:
            found.add(index, Breach("document", DRAFT_ONLY))
        if row.deadline and row.deadline < sent_on:
            found.add(index, Breach("deadline", DEADLINE_PAST))
        if not row.recipients:
            found.add(index, Breach("recipients", NO_RECIPIENTS))
        seen: set[int] = set()
        for recipient in row.recipients:
            person = recipient.respondent
            if person.pk in seen:
                found.add(index, Breach("recipients", RECIPIENT_TWICE, {"user": str(person)}))
            seen.add(person.pk)
            if not person.is_active:
                found.add(index, Breach("recipients", RECIPIENT_INACTIVE, {"user": str(person)}))
        with found.row(index):
            consultation.full_clean(exclude=["document", "sent_by", "owning_province"], validate_unique=False)
        consultations.append(consultation)
    found.refuse()
    if dry_run:
        return consultations
    with transaction.atomic():
        for consultation, row in zip(consultations, rows, strict=True):
            save_with_history(instance=consultation, user=user)
            for recipient in row.recipients:
                save_with_history(
                    instance=ConsultationRecipient(
                        consultation=consultation,
                        respondent=recipient.respondent,
                        organisation=recipient.organisation,
                    ),
                    user=user,
                )
        ensure_all_allowed(model=Consultation, user=user, pks={c.pk for c in consultations}, action=Action.CHANGE)
    return consultations


def consultation_close(*, consultation: Consultation, user: Any, expected_version: int | None = None) -> Consultation:
    """Close a consultation: replies are kept as they are; late ones can no longer come in."""
    with transaction.atomic():
        ensure_all_allowed(model=Consultation, user=user, pks={consultation.pk}, action=Action.CHANGE)
        claim_versions(model=Consultation, claims=[(consultation, expected_version)])
        consultation.closed_on = timezone.localdate()
        save_with_history(instance=consultation, user=user, reason=gettext_noop("Closed"))
    return consultation


@dataclass(frozen=True)
class Reply:
    """A recipient's answer: comments (text and/or an attachment) or no comment."""

    recipient: ConsultationRecipient
    no_comment: bool = False
    comments: str = ""
    attachment: File[Any] | None = None
    expected_version: int | None = None


def consultation_replies_save(
    *, user: Any, rows: Sequence[Reply], dry_run: bool = False
) -> list[ConsultationRecipient]:
    """Record replies: by the recipient, or by the sender for a reply received on paper (the scope policy: a 403 for
    the batch otherwise). Comments or an attachment, or no comment and nothing else; never on a closed
    consultation; the attachment checked by its content, extension and size. A reply may be changed until the
    consultation closes (its history keeps the earlier one)."""
    if not rows:
        return []
    ensure_all_allowed(
        model=ConsultationRecipient, user=user, pks={row.recipient.pk for row in rows}, action=Action.CHANGE
    )
    found = Breaches()
    for index, row in enumerate(rows):
        recipient = row.recipient
        if recipient.consultation.closed_on is not None:
            found.add(index, Breach("state", CLOSED))
        if row.no_comment and (row.comments.strip() or row.attachment is not None):
            found.add(index, Breach("comments", NO_COMMENT_ALONE))
        if not row.no_comment and not row.comments.strip() and row.attachment is None:
            found.add(index, Breach("comments", COMMENTS_NEEDED))
        if row.attachment is not None:
            for breach in check_upload(row.attachment, kinds=ATTACHMENTS, field="attachment"):
                found.add(index, breach)
        if dry_run:
            with found.row(index):
                check_version(stored=recipient.version, expected=row.expected_version)
    found.refuse()
    if dry_run:
        return [row.recipient for row in rows]
    now = timezone.now()
    with transaction.atomic():
        claim_versions(model=ConsultationRecipient, claims=[(row.recipient, row.expected_version) for row in rows])
        for row in rows:
            recipient = row.recipient
            recipient.state = ReplyState.NO_COMMENT if row.no_comment else ReplyState.COMMENTS
            recipient.comments = "" if row.no_comment else row.comments.strip()
            if row.no_comment:
                recipient.attachment = ""  # FieldFile takes a name
                recipient.attachment_name = ""
            elif row.attachment is not None:
                name = PurePosixPath(row.attachment.name or "attachment").name[:255]
                row.attachment.seek(0)
                recipient.attachment.save(name, row.attachment, save=False)
                recipient.attachment_name = name
            recipient.answered_at = now
            recipient.answered_by = user
            with translation.override(None):
                save_with_history(instance=recipient, user=user, reason=ReplyState(recipient.state).label)
    return [row.recipient for row in rows]
