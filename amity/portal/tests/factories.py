"""News articles for tests, written and moved through the services."""

from __future__ import annotations

from typing import Any

from amity.portal.models import NewsArticle
from amity.portal.services import NewsRow, NewsStep, news_save, news_transition


def article(user: Any, **data: Any) -> NewsArticle:
    fields = {"title_vi": "Tin hoạt động hữu nghị", "body_vi": "Nội dung bài viết.", "category": "news"}
    fields.update(data)
    return news_save(user=user, rows=[NewsRow(data=fields)])[0]


def step(user: Any, item: NewsArticle, transition: str) -> NewsArticle:
    item.refresh_from_db()
    return news_transition(
        user=user, steps=[NewsStep(pk=item.pk, transition=transition, expected_version=item.version)]
    )[0]


def published(writer: Any, approver: Any, **data: Any) -> NewsArticle:
    item = article(writer, **data)
    step(writer, item, "submit")
    return step(approver, item, "publish")
