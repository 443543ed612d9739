"""Staff pages of the public page's news: the list of a user's articles, writing with a preview in each
language, sending for review, publishing (approvers), withdrawing, and each article's history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from amity.core.exceptions import ConflictError
from amity.core.files import file_response
from amity.core.models import restricted
from amity.core.scoping import Action
from amity.core.views import RecordDetailView, RecordEditView, RestrictedQuerysetMixin

from .choices import NEWS_LANGUAGES, NewsState, NewsTransition
from .forms import NewsArticleForm
from .models import NewsArticle
from .public import SUPPORTED
from .services import TRANSITIONS, NewsRow, NewsStep, news_save, news_transition
from .views import render_article


class NewsListView(RestrictedQuerysetMixin, ListView[NewsArticle]):
    model = NewsArticle
    template_name = "portal/staff/news_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[NewsArticle]:
        rows = restricted(NewsArticle.objects.all(), self.request.user, Action.VIEW)
        state = self.request.GET.get("state", "")
        if state in NewsState.values:
            rows = rows.filter(state=state)
        return rows.select_related("owning_province").order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            states=NewsState.choices,
            state=self.request.GET.get("state", ""),
            may_add=NewsArticle.scope_policy.allows(self.request.user, Action.ADD),
        )
        return context


class NewsDetailView(RecordDetailView[NewsArticle]):
    model = NewsArticle
    template_name = "portal/staff/news_detail.html"

    def get_queryset(self) -> QuerySet[NewsArticle]:
        return super().get_queryset().select_related("owning_province", "published_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        article = self.object
        steps = []
        for transition in NewsTransition:
            starts, _ends, action = TRANSITIONS[transition]
            if article.state in starts and self.may(action, article):
                steps.append(transition)
        context.update(
            steps=steps,
            previews=[(code, article.in_language(code)) for code in NEWS_LANGUAGES],
            attachments=list(article.attachments.all()),
            is_draft=article.state == NewsState.DRAFT,
        )
        return context


class NewsEditView(RecordEditView):
    model = NewsArticle
    form_class = NewsArticleForm
    template_name = "portal/staff/news_form.html"

    def create(self, *, form: Any) -> NewsArticle:
        row = NewsRow(data=form.news_data(), attachments=form.new_attachments())
        return news_save(user=self.request.user, rows=[row])[0]

    def update(self, *, instance: Any, form: Any, expected_version: int) -> NewsArticle:
        row = NewsRow(
            data=form.news_data(), pk=instance.pk, expected_version=expected_version, attachments=form.new_attachments()
        )
        return news_save(user=self.request.user, rows=[row])[0]


class NewsStepView(RestrictedQuerysetMixin, View):
    """POST: one workflow step (send for review, return, publish, withdraw) through `news_transition`."""

    model = NewsArticle

    def post(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        article = get_object_or_404(self.get_queryset(), public_id=public_id)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = 0
        step = NewsStep(pk=article.pk, transition=request.POST.get("step", ""), expected_version=version)
        try:
            news_transition(user=request.user, steps=[step])
        except ConflictError as exc:
            messages.error(request, str(exc))
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(article.get_absolute_url())


@login_required
def news_preview(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The article as the public would read it, in the language asked (`?lang=`), whatever its state."""
    article = get_object_or_404(
        restricted(NewsArticle.objects.select_related("owning_province"), request.user, Action.VIEW),
        public_id=public_id,
    )
    language = request.GET.get("lang", "")
    if language not in SUPPORTED:
        language = translation.get_language() or "vi"
    with translation.override(language):
        request.LANGUAGE_CODE = language
        response = render_article(request, article, preview=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def news_staff_file(request: HttpRequest, public_id: Any, name: str) -> HttpResponseBase:
    article = get_object_or_404(restricted(NewsArticle.objects.all(), request.user, Action.VIEW), public_id=public_id)
    if name == "image":
        return file_response(article.image, inline=True)
    attachment = next((a for a in article.attachments.all() if str(a.pk) == name), None)
    if attachment is None:
        raise Http404
    return attachment.response()
