"""News and announcements of the public page, written by a union's or the centre's staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import AttachedFile, BaseModel, attached_file
from amity.core.scoping import Action, Matches, OwnedByTheCentre, ScopePolicy, province_owned_rules

from .choices import NEWS_LANGUAGES, NewsCategory, NewsState


def _news_policy() -> ScopePolicy:
    """A province's staff write its news and its approvers publish them; central officers those of the national
    portal (no province). Everyone, signed in or not, reads what is published."""
    rules = province_owned_rules("owning_province", centre_may_own=True)
    rules[Role.CENTRAL_OFFICER] = {**rules[Role.CENTRAL_OFFICER], Action.PUBLISH: OwnedByTheCentre("owning_province")}
    return ScopePolicy(rules=rules, public={Action.VIEW: Matches(Q(state=NewsState.PUBLISHED))})


class NewsArticle(BaseModel):
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("The province's portal; empty for the national portal."),
    )
    category = models.CharField(_("category"), max_length=16, choices=NewsCategory.choices, default=NewsCategory.NEWS)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    summary_vi = models.CharField(_("summary (Vietnamese)"), max_length=500, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=500, blank=True)
    summary_ar = models.CharField(_("summary (Arabic)"), max_length=500, blank=True)
    body_vi = models.TextField(
        _("text (Vietnamese)"), blank=True, help_text=_("Plain text; an empty line between paragraphs.")
    )
    body_en = models.TextField(_("text (English)"), blank=True)
    body_ar = models.TextField(_("text (Arabic)"), blank=True)
    image = models.FileField(_("image"), upload_to="portal/news/%Y/%m/", max_length=300, blank=True)
    image_alt_vi = models.CharField(
        _("image description (Vietnamese)"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, read aloud to blind readers; required with an image."),
    )
    image_alt_en = models.CharField(_("image description (English)"), max_length=300, blank=True)
    image_alt_ar = models.CharField(_("image description (Arabic)"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=NewsState.choices, default=NewsState.DRAFT, editable=False
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()
    scope_policy = _news_policy()

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        ordering = ["-published_at", "-created_at", "pk"]
        indexes = [models.Index(fields=["state", "owning_province", "published_at"], name="portal_news_public")]

    def __str__(self) -> str:
        return self.title_vi

    def get_absolute_url(self) -> str:
        return reverse("portal:news_edit_page", kwargs={"public_id": self.public_id})

    def get_public_url(self) -> str:
        return reverse("portal:news_article", kwargs={"public_id": self.public_id})

    def in_language(self, language: str | None = None) -> dict[str, Any]:
        """Title, summary, text and image description in `language` (the active one by default), the Vietnamese
        where a translation is missing, and whether it was (`missing`)."""
        language = language or translation.get_language() or "vi"
        if language not in NEWS_LANGUAGES:
            language = "vi"
        own_title = getattr(self, f"title_{language}")
        own_body = getattr(self, f"body_{language}")
        missing = language != "vi" and not (own_title and (own_body or not self.body_vi))
        shown = "vi" if missing else language
        return {
            "language": shown,
            "missing": missing,
            "title": getattr(self, f"title_{shown}"),
            "summary": getattr(self, f"summary_{shown}"),
            "body": getattr(self, f"body_{shown}"),
            "image_alt": getattr(self, f"image_alt_{shown}") or self.image_alt_vi,
        }


class NewsAttachment(AttachedFile):
    """A file attached to an article (`core.models.AttachedFile`), served only through the article's pages."""

    article = models.ForeignKey(
        NewsArticle, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = attached_file("portal/news/files/%Y/%m/")
    title = models.CharField(_("title"), max_length=300, blank=True)


class OpenDataFile(models.Model):
    """A ready file of an open dataset (`opendata_files`): one per dataset, format, scope (national, or a
    province's) and language (none for the language-neutral IATI files), rebuilt whole in the background and
    swapped in atomically; the downloads only ever send a file recorded here. Derived data, rebuilt from the
    published level at will: no history, no soft delete."""

    READY, TOO_LARGE = "ready", "too_large"
    STATUSES = ((READY, _("ready")), (TOO_LARGE, _("too many rows for a workbook")))

    dataset = models.CharField(_("dataset"), max_length=20)
    file_format = models.CharField(_("format"), max_length=8)
    province_code = models.CharField(
        _("province code"), max_length=20, blank=True, help_text=_("Empty for the national file.")
    )
    language = models.CharField(_("language"), max_length=8, blank=True, help_text=_("Empty for an IATI file."))
    status = models.CharField(_("status"), max_length=16, choices=STATUSES, default=READY)
    file = models.FileField(_("file"), upload_to="opendata/", max_length=300, blank=True)
    generated_at = models.DateTimeField(_("generated"))
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    build_seconds = models.FloatField(_("build time (seconds)"), default=0)

    class Meta:
        verbose_name = _("open data file")
        verbose_name_plural = _("open data files")
        ordering = ["dataset", "file_format", "province_code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "file_format", "province_code", "language"], name="portal_opendata_one_file"
            )
        ]

    def __str__(self) -> str:
        scope = self.province_code or "national"
        return f"{self.dataset}.{self.file_format} ({scope}, {self.language or 'any language'})"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'
