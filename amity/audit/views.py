"""The audit log page: administrators only, filterable by event, user, address and date."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.views.generic import ListView

from amity.core.exceptions import PermissionDenied

from .filtersets import AuditEventFilterSet
from .models import AuditEvent
from .selectors import audit_events, describe


class AuditEventListView(LoginRequiredMixin, ListView[AuditEvent]):
    template_name = "audit/event_list.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not getattr(user, "is_administrator", False):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_paginate_by(self, queryset: QuerySet[AuditEvent]) -> int:
        return int(settings.AMITY_PAGE_SIZE)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        events = audit_events(self.request.user)
        self.filterset = AuditEventFilterSet(self.request.GET or None, queryset=events, request=self.request)
        if self.filterset.is_bound and self.filterset.is_valid():
            filtered: QuerySet[AuditEvent] = self.filterset.qs  # django-filter is untyped
            return filtered
        return events

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        events = [(event, describe(event)) for event in context["object_list"]]
        context.update(
            filterset=self.filterset,
            querystring=query.urlencode(),
            events=events,
            retention_days=settings.AMITY_AUDIT_RETENTION_DAYS,
        )
        return context
