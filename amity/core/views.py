"""Generic views for domain records. Each app subclasses them with its model, FilterSet, form and services;
every queryset goes through `restrict(user, action)`."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from .exceptions import ConflictError, PermissionDenied
from .forms import add_service_errors, search_asked, show_without_errors
from .middleware import is_api, language_for
from .models import BaseModel, restricted
from .scoping import Action
from .selectors import HistoryEntry, record_history

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_Record = TypeVar("_Record", bound=BaseModel)


class RestrictedQuerysetMixin(LoginRequiredMixin):
    """The scoping chokepoint for pages: querysets come from `restrict(user, action)`."""

    model: type[BaseModel]
    action: ClassVar[str] = Action.VIEW
    request: HttpRequest
    kwargs: dict[str, Any]

    def base_queryset(self) -> QuerySet[Any]:
        return self.model.objects.all()

    def get_queryset(self) -> QuerySet[Any]:
        return restricted(self.base_queryset(), self.request.user, self.action)


class RecordObjectMixin(RestrictedQuerysetMixin):
    """Looks a record up by its public identifier among those the user may see (else 404)."""

    slug_field = "public_id"
    slug_url_kwarg = "public_id"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, public_id=self.kwargs["public_id"])

    def may(self, action: str, instance: BaseModel) -> bool:
        return type(instance).all_objects.restrict(self.request.user, action).filter(pk=instance.pk).exists()


class RecordListView(RestrictedQuerysetMixin, ListView[_Record]):
    """Filtered, searchable, sortable, paginated list. Subclasses give `filterset_class` and `ordering_fields`."""

    model: type[_Record]  # always given: ListView's may be None
    filterset_class: ClassVar[Any] = None
    ordering_fields: ClassVar[dict[str, str]] = {}
    default_ordering: ClassVar[str] = ""
    template_name_suffix = "_list"

    def get_paginate_by(self, queryset: QuerySet[Any]) -> int:
        return settings.AMITY_PAGE_SIZE

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        sort = self.request.GET.get("sort", "")
        key = sort.removeprefix("-")
        if key in self.ordering_fields:
            field = self.ordering_fields[key]
            queryset = queryset.order_by(f"-{field}" if sort.startswith("-") else field, "pk")
        elif self.default_ordering:
            queryset = queryset.order_by(self.default_ordering, "pk")
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=self.filterset,
            querystring=query.urlencode(),
            current_sort=self.request.GET.get("sort", ""),
            may_add=self.model.scope_policy.allows(self.request.user, Action.ADD),
        )
        return context


class RecordDetailView(RecordObjectMixin, DetailView[_Record]):
    model: type[_Record]  # always given: DetailView's may be None

    def history(self, instance: BaseModel) -> list[HistoryEntry]:
        """What `includes/history.html` shows; a page whose record has parts adds theirs."""
        return record_history(instance)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        instance = self.object
        context.update(
            history_entries=self.history(instance),
            may_change=self.may(Action.CHANGE, instance),
            may_delete=self.may(Action.DELETE, instance),
        )
        return context


class RecordEditView(RecordObjectMixin, View):
    """Create (no public_id in the URL) or update a record through the app's services.

    The form carries the version it was loaded at; a stale save shows the conflict and keeps the user's input. A
    form sent by the Search button of a `SearchSelect` (no JavaScript) is shown again with the matches, unsaved.
    """

    form_class: ClassVar[Any]
    template_name: ClassVar[str]

    def create(self, *, form: Any) -> BaseModel:
        raise NotImplementedError

    def update(self, *, instance: BaseModel, form: Any, expected_version: int) -> BaseModel:
        raise NotImplementedError

    def updated_message(self) -> str:
        """What the user is told after an update (a change that waits for acceptance says so)."""
        return _("Saved.")

    def saved_url(self, saved: BaseModel) -> str:
        """Where the user goes once the record is saved: its page (a part of another record's page may go there)."""
        # Every record model with pages defines get_absolute_url; BaseModel does not, or the admin would offer
        # "View on site" for records that have no page.
        url: str = saved.get_absolute_url()  # type: ignore[attr-defined]
        return url

    def get_instance(self) -> BaseModel | None:
        if "public_id" not in self.kwargs:
            if not self.model.scope_policy.allows(self.request.user, Action.ADD):
                raise PermissionDenied
            return None
        instance: BaseModel = self.get_object()
        if not self.may(Action.CHANGE, instance):
            raise PermissionDenied
        return instance

    def render_form(self, form: Any, instance: BaseModel | None, status: int = 200, **extra: Any) -> HttpResponse:
        context = {"form": form, "object": instance, "model_meta": self.model._meta, **extra}
        return render(self.request, self.template_name, context, status=status)

    @staticmethod
    def as_stored(instance: _Record | None) -> _Record | None:
        """A copy of the record as read, for the page's heading and breadcrumbs: a bound model form writes the
        user's input into its instance as it validates, and a page shown again (a conflict, an error) names the
        record as it is stored, not as the unsaved input would have it."""
        return copy.copy(instance)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        return self.render_form(self.form_class(instance=instance, user=request.user), instance)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        stored = self.as_stored(instance)
        form = self.form_class(request.POST, request.FILES, instance=instance, user=request.user)
        if search_asked(form):  # a SearchSelect's Search button, without JavaScript: offer the matches, save nothing
            return self.render_form(show_without_errors(form), stored)
        if not form.is_valid():
            return self.render_form(form, stored, status=400)
        try:
            if instance is None:
                saved = self.create(form=form)
                messages.success(request, _("Saved."))
            else:
                saved = self.update(instance=instance, form=form, expected_version=form.cleaned_data["version"])
                messages.success(request, self.updated_message())
        except ConflictError as exc:
            current = type(instance).all_objects.get(pk=instance.pk) if instance is not None else None
            if current is not None:
                # The user's input stays in the form; saving it again now knowingly replaces the other save.
                form.data = form.data.copy()
                form.data["version"] = str(current.version)
            return self.render_form(form, stored, status=409, conflict=exc, current=current)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, stored, status=400)
        return HttpResponseRedirect(self.saved_url(saved))


class RecordActionView(RecordObjectMixin, View):
    """A POST-only state change (delete, restore, later: approve, publish) done by one service call."""

    permission_action: ClassVar[str]
    success_message: ClassVar[StrOrPromise] = ""

    def base_queryset(self) -> QuerySet[Any]:
        return self.model.all_objects.all()

    def perform(self, *, instance: BaseModel) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_object()
        try:
            self.perform(instance=instance)
        except ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if self.success_message:
                messages.success(request, self.success_message)
        return HttpResponseRedirect(instance.get_absolute_url())


class HomeView(TemplateView):
    template_name = "core/home.html"


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy; the reason goes to the log, not the probe
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _standalone_error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """An error page rendered without the request's context (400.html, 500.html): the failure may be in the
    database or a context processor, or the request itself is refused before the middleware chose the language,
    so the language is read from the user's choice here."""
    with translation.override(language_for(request)):
        context = {"LANGUAGE_CODE": translation.get_language(), "LANGUAGE_BIDI": translation.get_language_bidi()}
        content = loader.get_template(template).render(context)
    return HttpResponse(content, status=status, headers={"Content-Language": context["LANGUAGE_CODE"]})


def _api_error(request: HttpRequest, status: int) -> JsonResponse:
    """An error under /api/ that no API view answered (an unknown address, a request refused before the view, a
    server error): JSON like every API answer, `{"detail": …}` with DRF's own wording, in the client's language.
    Made without the database or a template, since the failure may be in those."""
    from rest_framework import exceptions

    detail = {
        400: exceptions.ParseError.default_detail,
        403: exceptions.PermissionDenied.default_detail,
        404: exceptions.NotFound.default_detail,
        500: exceptions.APIException.default_detail,
    }[status]
    with translation.override(language_for(request)):
        return JsonResponse({"detail": str(detail)}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Also for a host not in ALLOWED_HOSTS: anything reading the host again would fail, so nothing does.
    if is_api(request):
        return _api_error(request, 400)
    return _standalone_error(request, "400.html", 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _api_error(request, 403)
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _api_error(request, 404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return _api_error(request, 500)
    return _standalone_error(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): Amity's page in the user's language, saying
    what to do, instead of Django's English one."""
    return render(request, "403_csrf.html", status=403)


__all__ = ["Http404"]
