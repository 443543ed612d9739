"""Pages of the document register: list with full-text search, a document's page (files, links, consultations,
history), the edit form with uploads, downloads through the scope policy, links to records, consultations on
drafts with replies and the DOCX summary of comments; and the panel of linked documents on other apps' pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.files import file_response
from amity.core.forms import SEARCH_GO_SUFFIX, add_service_errors
from amity.core.models import BaseModel
from amity.core.scoping import Action
from amity.core.views import RecordActionView, RecordDetailView, RecordEditView, RecordListView

from . import links, selectors, services
from .filtersets import DocumentFilterSet
from .forms import ConsultationForm, DocumentForm, LinkForm, LinkOptionsForm, ReplyForm, document_label
from .models import Consultation, ConsultationRecipient, Document, DocumentFile
from .summary import summary_response


class DocumentListView(RecordListView[Document]):
    model = Document
    filterset_class = DocumentFilterSet
    ordering_fields = {
        "number": "number_symbol",
        "kind": "kind",
        "title": "title",
        "issued": "issued_on",
        "status": "status",
        "updated": "updated_at",
    }
    default_ordering = "-issued_on"

    def base_queryset(self) -> QuerySet[Document]:
        return Document.objects.select_related("owning_province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending_replies"] = list(selectors.my_pending_replies(user=self.request.user)[:20])
        return context


class DocumentDetailView(RecordDetailView[Document]):
    model = Document

    def base_queryset(self) -> QuerySet[Document]:
        return Document.all_objects.select_related("owning_province", "replaced_by").prefetch_related(
            Prefetch("files", queryset=DocumentFile.objects.order_by("pk")),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document: Document = self.object
        user = self.request.user
        visible = Document.objects.restrict(user, Action.VIEW)
        today = timezone.localdate()
        context.update(
            warnings=[breach.text() for breach in services.number_warnings(document)],
            implements=list(visible.filter(implemented_by=document)),
            implemented_by=list(visible.filter(implements=document)),
            replaces=list(visible.filter(replaced_by=document)),
            linked=selectors.records_linked_to(user=user, document=document),
            consultations=list(
                selectors.consultations_with_counts(
                    Consultation.objects.restrict(user, Action.VIEW).filter(document=document), today
                )
            ),
            may_consult=context["may_change"] and document.status == "draft" and not document.is_deleted,
        )
        return context


class DocumentEditView(RecordEditView):
    model = Document
    form_class = DocumentForm
    template_name = "documents/document_form.html"

    def create(self, *, form: Any) -> Document:
        [document] = services.documents_save(
            user=self.request.user,
            rows=[services.DocumentChange(form.record_data(), files=form.cleaned_data["upload"])],
        )
        return document

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Document:
        [document] = services.documents_save(
            user=self.request.user,
            rows=[
                services.DocumentChange(
                    form.record_data(),
                    files=form.cleaned_data["upload"],
                    pk=instance.pk,
                    expected_version=expected_version,
                )
            ],
        )
        return document


class DocumentDeleteView(RecordActionView):
    model = Document
    action = Action.DELETE
    success_message = gettext_lazy("Deleted. The document can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.document_delete(document=instance, user=self.request.user)


class DocumentRestoreView(RecordActionView):
    model = Document
    action = Action.DELETE
    success_message = gettext_lazy("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.document_restore(document=instance, user=self.request.user)


def _visible_document(request: HttpRequest, public_id: Any) -> Document:
    return get_object_or_404(Document.objects.restrict(request.user, Action.VIEW), public_id=public_id)


class DocumentFileView(LoginRequiredMixin, View):
    """A document's file, to whoever may read the document (404 otherwise: not even its existence is told)."""

    def get(self, request: HttpRequest, public_id: Any, file_id: Any) -> HttpResponseBase:
        document = _visible_document(request, public_id)
        stored = get_object_or_404(DocumentFile.objects.filter(document=document), public_id=file_id)
        return file_response(stored.file, filename=stored.name, inline=stored.file_kind == "pdf")


class DocumentFileDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, public_id: Any, file_id: Any) -> HttpResponse:
        document = _visible_document(request, public_id)
        stored = get_object_or_404(DocumentFile.objects.filter(document=document), public_id=file_id)
        services.document_file_delete(document_file=stored, user=request.user)
        messages.success(request, _("The file was removed from the document."))
        return HttpResponseRedirect(document.get_absolute_url())


def _safe_next(request: HttpRequest, wanted: str, fallback: str) -> str:
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return fallback


class DocumentLinkView(LoginRequiredMixin, View):
    """Link a document to a record, or remove the link (POST from the document's page or the record's panel)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if f"document{SEARCH_GO_SUFFIX}" in request.POST:
            # The panel's Search button, without JavaScript: the chooser's own page offers the matches.
            query = {name: request.POST.get(name, "") for name in ("kind", "record", "next")}
            query["q"] = request.POST.get("document_search", "")[:200]
            return HttpResponseRedirect(f"{reverse('documents:link_choose')}?{urlencode(query)}")
        form = LinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a document and a record."))
            return HttpResponseRedirect(_safe_next(request, request.POST.get("next", ""), reverse("documents:list")))
        data = form.cleaned_data
        document = _visible_document(request, data["document"])
        record = selectors.find_linkable(user=request.user, key=data["kind"], public_id=data["record"])
        if record is None:
            raise Http404
        try:
            services.document_links_save(
                user=request.user, rows=[services.LinkChange(document, record, remove=data["remove"])]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Link removed.") if data["remove"] else _("Linked."))
        return HttpResponseRedirect(_safe_next(request, data["next"], document.get_absolute_url()))


def linked_documents_panel(request: HttpRequest, record: BaseModel) -> str:
    """The documents linked to a record, on its page (registered with `amity.core.panels` for the kinds of
    `links`), with a form to link another when the user may: a `core.forms.SearchSelect` offering the latest
    documents they may link and searching all of them (as they type, or on the chooser's own page without
    JavaScript), the record's deciding document (an aid item's approval decision) first and chosen when the
    register has it. Four queries, five for a record naming its deciding document."""
    user = request.user
    key = links.key_of(type(record))
    if key is None or not getattr(user, "is_authenticated", False):
        return ""
    linked = list(selectors.documents_linked_to(user=user, record=record))
    may_change_record = type(record).all_objects.restrict(user, Action.CHANGE).filter(pk=record.pk).exists()
    # The documents the user may link here, the latest first; typing searches them all (`link_options`).
    choices = selectors.linkable_documents(user=user, record=record, may_change_record=may_change_record)
    decision = selectors.deciding_document(user=user, record=record, may_change_record=may_change_record)
    if decision is not None:  # offered first, and chosen: "an aid item's approval decision is such a document"
        others = [document for document in choices.documents if document.pk != decision.pk]
        choices = selectors.LinkChoices([decision, *others][: selectors.LINK_CHOICES], choices.more)
    changeable = set(
        Document.objects.restrict(user, Action.CHANGE)
        .filter(pk__in=[d.pk for d in linked])
        .values_list("pk", flat=True)
    )
    initial = {"document": str(decision.public_id)} if decision is not None else {}
    link_form = LinkForm(user=user, linked_to=record, latest=choices, auto_id="link-%s", initial=initial)
    return render_to_string(
        "documents/includes/linked_documents.html",
        {
            "documents": linked,
            "record": record,
            "kind": key,
            "may_change_record": may_change_record,
            "changeable": changeable,
            "link_form": link_form,
            "decision": decision,
            "more": choices.more,
            "may_link": bool(choices.documents),
            "next": request.get_full_path(),
        },
        request=request,
    )


def _link_request(request: HttpRequest) -> tuple[BaseModel, dict[str, Any]]:
    """The record and words a chooser asks about (404 for a malformed request or a record the user does not read)."""
    form = LinkOptionsForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    record = selectors.find_linkable(user=request.user, key=data["kind"], public_id=data["record"])
    if record is None:
        raise Http404
    return record, data


@login_required
def link_options(request: HttpRequest) -> JsonResponse:
    """The search of a record's link chooser as the user types (JSON for `amity.js`, `core.forms.SearchSelect`):
    the documents the user may link to the record, matching every word with or without diacritics, latest first
    (the latest when no word is given), and whether more match than are listed:
    `{"results": [{"value": public id, "label": …}], "more": bool}`."""
    record, data = _link_request(request)
    choices = selectors.linkable_documents(user=request.user, record=record, query=data["q"])
    results = [{"value": str(document.public_id), "label": document_label(document)} for document in choices.documents]
    return JsonResponse({"results": results, "more": choices.more})


@login_required
def link_choose(request: HttpRequest) -> HttpResponse:
    """The link chooser on a page of its own, for a browser without JavaScript (the panel's Search button sends
    the words here): a search form (GET) and the documents matching it as a list to choose from, which links the
    chosen one (`documents:link`, POST) and goes back to the record's page. The same search, scope and limits as
    the panel's."""
    record, data = _link_request(request)
    choices = selectors.linkable_documents(user=request.user, record=record, query=data["q"])
    back = _safe_next(request, data["next"], record.get_absolute_url())  # type: ignore[attr-defined]
    context = {
        "record": record,
        "record_kind": type(record)._meta.verbose_name,
        "kind": data["kind"],
        "query": data["q"],
        "choices": choices.documents,
        "more": choices.more,
        "next": back,
    }
    return render(request, "documents/link_choose.html", context)


# --- consultations --------------------------------------------------------------------------------------------


class ConsultationCreateView(LoginRequiredMixin, View):
    """Send a draft for comments, from the draft's page."""

    template_name = "documents/consultation_form.html"

    def _document(self, request: HttpRequest, public_id: Any) -> Document:
        document = _visible_document(request, public_id)
        if not Document.objects.restrict(request.user, Action.CHANGE).filter(pk=document.pk).exists():
            raise PermissionDenied
        return document

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        document = self._document(request, public_id)
        form = ConsultationForm(initial={"subject": _("Comments on the draft: %(title)s") % {"title": document.title}})
        return render(request, self.template_name, {"form": form, "document": document})

    def post(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        document = self._document(request, public_id)
        form = ConsultationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            recipients = [services.Recipient(user, user.organisation) for user in data["recipients"]]
            try:
                [consultation] = services.consultations_send(
                    user=request.user,
                    rows=[
                        services.ConsultationChange(
                            document=document,
                            subject=data["subject"],
                            message=data["message"],
                            deadline=data["deadline"],
                            recipients=recipients,
                        )
                    ],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft was sent for comments."))
                return HttpResponseRedirect(consultation.get_absolute_url())
        return render(request, self.template_name, {"form": form, "document": document}, status=400)


class ConsultationDetailView(RecordDetailView[Consultation]):
    model = Consultation

    def base_queryset(self) -> QuerySet[Consultation]:
        return Consultation.all_objects.select_related("document", "sent_by", "owning_province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        consultation: Consultation = self.object
        user = self.request.user
        today = timezone.localdate()
        recipients = list(selectors.recipients_of(consultation))
        writable = set(
            ConsultationRecipient.objects.restrict(user, Action.CHANGE)
            .filter(consultation=consultation)
            .values_list("pk", flat=True)
        )
        for recipient in recipients:
            recipient.late = recipient.is_late(today)  # type: ignore[attr-defined]
            recipient.may_reply = recipient.pk in writable and consultation.closed_on is None  # type: ignore[attr-defined]
        context.update(
            recipients=recipients,
            answered=sum(1 for r in recipients if r.state != "pending"),
            late=sum(1 for r in recipients if r.is_late(today)),
            reply_form=kwargs.get("reply_form") or ReplyForm(),
        )
        return context


class ConsultationReplyView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, public_id: Any, recipient_id: Any) -> HttpResponse:
        consultation = get_object_or_404(Consultation.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        recipient = get_object_or_404(
            ConsultationRecipient.objects.restrict(request.user, Action.VIEW).filter(consultation=consultation),
            public_id=recipient_id,
        )
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consultation_replies_save(
                    user=request.user,
                    rows=[
                        services.Reply(
                            recipient,
                            no_comment=data["no_comment"],
                            comments=data["comments"],
                            attachment=data["attachment"],
                            expected_version=data["version"],
                        )
                    ],
                )
            except ConflictError as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The reply was recorded."))
        else:
            messages.error(request, _("The reply could not be read; try again."))
        return HttpResponseRedirect(consultation.get_absolute_url())


class ConsultationCloseView(RecordActionView):
    model = Consultation
    action = Action.CHANGE
    success_message = gettext_lazy("The consultation is closed.")

    def perform(self, *, instance: Any) -> None:
        services.consultation_close(consultation=instance, user=self.request.user)


class ReplyAttachmentView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: Any, recipient_id: Any) -> HttpResponseBase:
        consultation = get_object_or_404(Consultation.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        recipient = get_object_or_404(
            ConsultationRecipient.objects.restrict(request.user, Action.VIEW).filter(consultation=consultation),
            public_id=recipient_id,
        )
        if not recipient.attachment:
            raise Http404
        return file_response(recipient.attachment, filename=recipient.attachment_name or None)


class ConsultationSummaryView(LoginRequiredMixin, View):
    """The summary of comments as a Word document, for the reply letter (to whoever may change the consultation:
    the sender's office)."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        consultation = get_object_or_404(
            Consultation.objects.restrict(request.user, Action.CHANGE).select_related("document", "owning_province"),
            public_id=public_id,
        )
        return summary_response(consultation, today=timezone.localdate())
