from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsCategory(models.TextChoices):
    NEWS = "news", _("News")
    ANNOUNCEMENT = "announcement", _("Announcement")
    CALL = "call", _("Call for proposals")
    REPORT = "report", _("Activity report")


class NewsState(models.TextChoices):
    """An article's workflow: written as a draft, sent for review, published by an approver (or returned)."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Waiting for review")
    PUBLISHED = "published", _("Published")


class NewsTransition(models.TextChoices):
    SUBMIT = "submit", _("Send for review")
    RETURN = "return", _("Return to the writer")
    PUBLISH = "publish", _("Publish")
    WITHDRAW = "withdraw", _("Withdraw from the public page")


NEWS_LANGUAGES = ("vi", "en", "ar")
