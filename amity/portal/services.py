"""The one writer of the public page's news: `news_save` (content, batch-first) and `news_transition` (the
workflow draft → review → published, and back). Pages, admin and any import call these; nothing else writes news.

A published article's content is frozen: to change it, an approver withdraws it (back to a draft), the writer
edits, and it is reviewed and published again — what the public read is always what an approver published, and
the history keeps every version."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from amity.core.breaches import Breach, Breaches
from amity.core.files import IMAGES, check_upload
from amity.core.scoping import Action
from amity.core.services import (
    apply_fields,
    check_version,
    claim_versions,
    ensure_all_allowed,
    ensure_may_add,
    save_with_history,
)

from .choices import NewsState, NewsTransition
from .models import NewsArticle, NewsAttachment
from .public import invalidate_public_pages


@dataclass(frozen=True)
class NewsRow:
    """One article for `news_save`: new (no `pk`) or stored (its `pk` and the version the user saw). `data` holds
    the model's fields (an `image` upload among them); `attachments` are files to add, each (upload, title)."""

    data: Mapping[str, Any]
    pk: int | None = None
    expected_version: int | None = None
    attachments: Sequence[tuple[UploadedFile, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class NewsStep:
    """One transition for `news_transition`."""

    pk: int
    transition: str
    expected_version: int | None = None


# transition → (states it starts from, state it ends in, the action it needs)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    NewsTransition.SUBMIT: (frozenset({NewsState.DRAFT}), NewsState.REVIEW, Action.CHANGE),
    NewsTransition.RETURN: (frozenset({NewsState.REVIEW}), NewsState.DRAFT, Action.PUBLISH),
    NewsTransition.PUBLISH: (frozenset({NewsState.REVIEW}), NewsState.PUBLISHED, Action.PUBLISH),
    NewsTransition.WITHDRAW: (frozenset({NewsState.PUBLISHED}), NewsState.DRAFT, Action.PUBLISH),
}
NOT_A_DRAFT = gettext_noop(
    "Only a draft can be changed: return it to the writer, or withdraw it from the public page, first."
)


def _content_breaches(
    article: NewsArticle, row: NewsRow, attachments: Sequence[NewsAttachment], user: Any, is_new: bool
) -> Iterator[Breach]:
    if not is_new and article.state != NewsState.DRAFT:
        yield Breach("", NOT_A_DRAFT)
    action = Action.ADD if is_new else Action.CHANGE
    if not NewsArticle.scope_policy.allows(user, action, article):
        yield Breach("owning_province", gettext_noop("You may not write the news of this portal."))
    image = row.data.get("image")
    if isinstance(image, UploadedFile):
        yield from check_upload(image, kinds=IMAGES, field="image")
    if article.image and not article.image_alt_vi.strip():
        yield Breach("image_alt_vi", gettext_noop("Describe the image for readers who cannot see it."))
    for attachment in attachments:
        yield from attachment.breaches(part="attachments")


def news_save(
    *, user: Any, rows: Sequence[NewsRow], reason: str | Promise = "", dry_run: bool = False
) -> list[NewsArticle]:
    """Create or change articles (drafts): every row checked before anything is written; `dry_run` checks only."""
    if not rows:
        return []
    ids = {row.pk for row in rows if row.pk is not None}
    with transaction.atomic(), translation.override(None):
        if len(ids) < len(rows):
            ensure_may_add(user=user, model=NewsArticle)
        ensure_all_allowed(model=NewsArticle, user=user, pks=ids, action=Action.CHANGE)
        stored = NewsArticle.all_objects.in_bulk(ids)
        found = Breaches()
        articles: list[NewsArticle] = []
        attachments: list[list[NewsAttachment]] = []
        for index, row in enumerate(rows):
            article = NewsArticle() if row.pk is None else stored[row.pk]
            if row.pk is not None and dry_run:  # the write claims the versions (a conflict, not a breach)
                with found.row(index):
                    check_version(stored=article.version, expected=row.expected_version)
            apply_fields(article, {k: v for k, v in row.data.items() if k != "image" or v is not None})
            attachments.append([NewsAttachment.from_upload(upload, title=title) for upload, title in row.attachments])
            for breach in _content_breaches(article, row, attachments[-1], user, row.pk is None):
                found.add(index, breach)
            with found.row(index):
                article.full_clean(exclude=["owning_province"])
            articles.append(article)
        found.refuse()
        if dry_run:
            return articles
        claim_versions(
            model=NewsArticle,
            claims=[(article, row.expected_version) for article, row in zip(articles, rows, strict=True) if row.pk],
        )
        for article, added in zip(articles, attachments, strict=True):
            save_with_history(instance=article, user=user, reason=reason)
            for attachment in added:
                attachment.article = article
                save_with_history(instance=attachment, user=user, reason=reason)
    return articles


def news_transition(*, user: Any, steps: Sequence[NewsStep], reason: str | Promise = "") -> list[NewsArticle]:
    """Move articles along the workflow; a step the article's state or the user's rights do not allow refuses the
    batch. Publishing or withdrawing empties the public pages' cache when the transaction commits."""
    if not steps:
        return []
    with transaction.atomic(), translation.override(None):
        for transition in {step.transition for step in steps}:
            if transition not in TRANSITIONS:
                raise Breach("transition", gettext_noop("Unknown step.")).as_validation_error()
            wanted = TRANSITIONS[transition][2]
            pks = {step.pk for step in steps if step.transition == transition}
            ensure_all_allowed(model=NewsArticle, user=user, pks=pks, action=wanted)
        stored = NewsArticle.all_objects.in_bulk({step.pk for step in steps})
        found = Breaches()
        for index, step in enumerate(steps):
            article = stored[step.pk]
            starts, _ends, _action = TRANSITIONS[step.transition]
            if article.state not in starts:
                found.add(index, Breach("state", gettext_noop("This step is not possible in the article's state.")))
            if step.transition == NewsTransition.SUBMIT and not (article.title_vi.strip() and article.body_vi.strip()):
                found.add(
                    index, Breach("body_vi", gettext_noop("An article needs its Vietnamese title and text for review."))
                )
        found.refuse()
        claim_versions(model=NewsArticle, claims=[(stored[step.pk], step.expected_version) for step in steps])
        public_changed = False
        now = timezone.now()
        for step in steps:
            article = stored[step.pk]
            article.state = TRANSITIONS[step.transition][1]
            if step.transition == NewsTransition.PUBLISH:
                article.published_at, article.published_by = now, user
            public_changed = public_changed or step.transition in (NewsTransition.PUBLISH, NewsTransition.WITHDRAW)
            save_with_history(instance=article, user=user, reason=reason or NewsTransition(step.transition).label)
        if public_changed:
            invalidate_public_pages()
    return [stored[step.pk] for step in steps]


def ensure_may_see(*, user: Any, article: NewsArticle) -> None:
    if not NewsArticle.all_objects.restrict(user, Action.VIEW).filter(pk=article.pk).exists():
        raise PermissionDenied(_("You are not allowed to do this."))
