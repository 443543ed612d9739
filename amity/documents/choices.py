"""Codes of the document register: kinds of official documents (with the Vietnamese abbreviations of their numbers),
their status, and the states of a consultation's replies and of a file's text."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """Kinds of official documents (Decree 30/2020/NĐ-CP, appendix III; the Party's Regulation 66-QĐ/TW)."""

    DIRECTIVE = "directive", _("Directive")
    RESOLUTION = "resolution", _("Resolution")
    CONCLUSION = "conclusion", _("Conclusion")
    PLAN = "plan", _("Plan")
    PROGRAMME = "programme", _("Programme")
    DECISION = "decision", _("Decision")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    REPORT = "report", _("Report")
    NOTICE = "notice", _("Notice")
    GUIDANCE = "guidance", _("Guidance")
    SUBMISSION = "submission", _("Submission")
    REGULATION = "regulation", _("Regulation")
    LAW = "law", _("Law")
    DECREE = "decree", _("Decree")
    CIRCULAR = "circular", _("Circular")
    AGREEMENT = "agreement", _("Agreement")
    MINUTES = "minutes", _("Minutes")
    OTHER = "other", _("Other")


# The abbreviation of a kind in a document's number and symbol ("308/QĐ-UBND": QĐ), as printed; the same letters
# typed without the Vietnamese Đ ("QD") are read as well (numbers.KIND_BY_ABBREVIATION).
ABBREVIATIONS: dict[str, DocumentKind] = {
    "CT": DocumentKind.DIRECTIVE,
    "NQ": DocumentKind.RESOLUTION,
    "KL": DocumentKind.CONCLUSION,
    "KH": DocumentKind.PLAN,
    "CTr": DocumentKind.PROGRAMME,
    "QĐ": DocumentKind.DECISION,
    "CV": DocumentKind.OFFICIAL_LETTER,
    "BC": DocumentKind.REPORT,
    "TB": DocumentKind.NOTICE,
    "HD": DocumentKind.GUIDANCE,
    "TTr": DocumentKind.SUBMISSION,
    "QC": DocumentKind.REGULATION,
    "QĐi": DocumentKind.REGULATION,
    "L": DocumentKind.LAW,
    "NĐ": DocumentKind.DECREE,
    "TT": DocumentKind.CIRCULAR,
    "TTLT": DocumentKind.CIRCULAR,
    "TTHT": DocumentKind.AGREEMENT,
    "BB": DocumentKind.MINUTES,
}


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    REPLACED = "replaced", _("Replaced")
    EXPIRED = "expired", _("Expired")


class TextState(models.TextChoices):
    """Whether the words of an uploaded file are in the full-text search."""

    PENDING = "pending", _("Being read")
    READ = "read", _("Read")
    NONE = "none", _("No text (a scan or an image)")
    FAILED = "failed", _("Could not be read")


class ReplyState(models.TextChoices):
    PENDING = "pending", _("Not answered")
    COMMENTS = "comments", _("Comments sent")
    NO_COMMENT = "no_comment", _("No comment")
