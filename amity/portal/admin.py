"""For administrators' reading: each article with its history. Staff write, review and publish on the staff pages
(`/portal/news/`), which go through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import NewsArticle


@admin.register(NewsArticle)
class NewsArticleAdmin(SimpleHistoryAdmin):
    """Read-only: writes go through `news_save` and `news_transition` (the workflow, the scope, the version check)."""

    list_display = ["__str__", "owning_province", "category", "state", "published_at"]
    list_filter = ["state", "category"]
    list_select_related = ["owning_province"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
