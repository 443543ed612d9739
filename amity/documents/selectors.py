"""Reads of the document register: searches, the documents linked to a record and the records linked to a
document, consultations with who answered and who is late. Every read starts from the scope policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from amity.core.models import BaseModel
from amity.core.scoping import Action

from . import links, numbers, search
from .choices import ReplyState
from .models import Consultation, ConsultationRecipient, Document, DocumentLink


def documents_search(queryset: QuerySet[Document], query: str) -> QuerySet[Document]:
    """`queryset` narrowed to the documents whose number, title, summary, issuing body, signer or files' text hold
    every word of `query`, with or without diacritics (`search`)."""
    condition = search.matching(query)
    return queryset if condition is None else queryset.filter(condition)


def documents_linked_to(*, user: Any, record: BaseModel) -> QuerySet[Document]:
    """The documents linked to `record` that `user` may read (one query when evaluated)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return (
        Document.objects.restrict(user, Action.VIEW)
        .filter(links__content_type=content_type, links__object_id=record.pk)
        .select_related("owning_province")
        .order_by("-issued_on", "-pk")
    )


@dataclass(frozen=True)
class LinkedRecord:
    key: str  # the kind's key in `links` ("aid_item")
    label: str  # the kind's name ("aid item")
    record: BaseModel
    link: DocumentLink


def records_linked_to(*, user: Any, document: Document) -> list[LinkedRecord]:
    """The records linked to `document` that `user` may read, by kind: one query for the links and one per kind of
    record linked."""
    by_type: dict[int, dict[int, DocumentLink]] = defaultdict(dict)
    for link in DocumentLink.objects.filter(document=document).select_related("content_type"):
        by_type[link.content_type_id][link.object_id] = link
    found: list[LinkedRecord] = []
    for key, model in links.kinds().items():
        content_type = ContentType.objects.get_for_model(model)
        wanted = by_type.get(content_type.pk)
        if not wanted:
            continue
        for record in model.objects.restrict(user, Action.VIEW).filter(pk__in=wanted):
            found.append(LinkedRecord(key, str(model._meta.verbose_name), record, wanted[record.pk]))
    return found


def find_linkable(*, user: Any, key: str, public_id: Any) -> BaseModel | None:
    """A record of the kind `key` by its public identifier, among those `user` may read."""
    model = links.model_of(key)
    if model is None:
        return None
    return model.objects.restrict(user, Action.VIEW).filter(public_id=public_id).first()


LINK_CHOICES = 20  # documents the link chooser offers at a time: the latest, or those matching what is typed


@dataclass(frozen=True)
class LinkChoices:
    documents: list[Document]
    more: bool  # more documents match than are offered: type more of the number or title


def linkable_documents(
    *, user: Any, record: BaseModel, query: str = "", may_change_record: bool | None = None, limit: int = LINK_CHOICES
) -> LinkChoices:
    """The documents `user` may link to `record` and that are not linked yet, matching `query` (number, title,
    summary, issuing body, files' text; with or without diacritics, `documents_search`), latest first, at most
    `limit`: any document the user reads when they may change the record, else those they may change (a central
    officer links the centre's directive to an aid item it only reads). Two queries, three without
    `may_change_record`."""
    if may_change_record is None:
        may_change_record = type(record).all_objects.restrict(user, Action.CHANGE).filter(pk=record.pk).exists()
    content_type = ContentType.objects.get_for_model(type(record))
    candidates = (
        Document.objects.restrict(user, Action.VIEW if may_change_record else Action.CHANGE)
        .exclude(links__content_type=content_type, links__object_id=record.pk)
        .order_by("-issued_on", "-pk")
    )
    found = list(documents_search(candidates, query)[: limit + 1])
    return LinkChoices(found[:limit], len(found) > limit)


def deciding_document(*, user: Any, record: BaseModel, may_change_record: bool) -> Document | None:
    """The document that decided `record` (an aid item's approval decision, `links.decision_number_of`), when the
    register has it, the user may link it and it is not linked yet: one query, none for a record without one."""
    number = links.decision_number_of(record)
    if not number:
        return None
    wanted = numbers.tidy(number).casefold()
    candidates = linkable_documents(
        user=user, record=record, query=number, may_change_record=may_change_record, limit=LINK_CHOICES
    )
    return next((found for found in candidates.documents if found.number_symbol.casefold() == wanted), None)


def consultations_with_counts(queryset: QuerySet[Consultation], today: date) -> QuerySet[Consultation]:
    """Consultations with how many were asked, have answered, and are late (not answered after the deadline)."""
    answered = ~Q(recipients__state=ReplyState.PENDING)
    late = Q(recipients__state=ReplyState.PENDING, deadline__lt=today)
    return queryset.annotate(
        asked=Count("recipients", distinct=True),
        answered=Count("recipients", filter=answered, distinct=True),
        late=Count("recipients", filter=late, distinct=True),
    )


def recipients_of(consultation: Consultation) -> QuerySet[ConsultationRecipient]:
    return consultation.recipients.select_related("respondent", "organisation", "answered_by").order_by("pk")


def my_pending_replies(*, user: Any) -> QuerySet[ConsultationRecipient]:
    """The consultations waiting for this user's reply, soonest deadline first."""
    return (
        ConsultationRecipient.objects.restrict(user, Action.VIEW)
        .filter(respondent=user, state=ReplyState.PENDING, consultation__closed_on=None)
        .select_related("consultation__document")
        .order_by("consultation__deadline", "pk")
    )
