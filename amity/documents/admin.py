"""The admin shows the document register read-only: every write goes through the services (pages, API), which
check files, numbers and scope; the admin would bypass them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Consultation, ConsultationRecipient, Document, DocumentFile, DocumentLink


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number_symbol", "kind", "title", "issued_on", "status", "owning_province", "public"]
    list_filter = ["kind", "status", "public"]
    search_fields = ["number_symbol", "title"]


@admin.register(DocumentFile)
class DocumentFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "document", "file_kind", "size", "text_state"]


@admin.register(DocumentLink)
class DocumentLinkAdmin(ReadOnlyAdmin):
    list_display = ["document", "content_type", "object_id"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "document", "deadline", "sent_on", "closed_on"]


@admin.register(ConsultationRecipient)
class ConsultationRecipientAdmin(ReadOnlyAdmin):
    list_display = ["consultation", "respondent", "organisation", "state", "answered_at"]
