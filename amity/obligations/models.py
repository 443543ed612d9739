"""Reporting duties: the rules of the law as data (`DutyRule`), the obligations generated from them for each aid
item, province and registered NGO (`Obligation`), what was submitted for each (`Submission`), the reminders
sent (`Reminder`) and the counts of what a rule's change would do (`RulePreview`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import PROVINCIAL_ROLES, Role
from amity.core.models import AllRecordsManager, BaseModel
from amity.core.scoping import (
    EVERYTHING,
    Action,
    AnyOf,
    InJurisdiction,
    OfOwnOrganisation,
    OwnedBy,
    OwnedByTheCentre,
    ScopePolicy,
)

from .choices import (
    SETTLED_PREVIEW_STATUSES,
    ObligationState,
    PeriodKind,
    Prefill,
    PreviewStatus,
    ReminderKind,
    Reporter,
    Reviewer,
)


class DutyRule(BaseModel):
    """One reporting duty of the law, as administrators keep it: who reports what, over which period, by when and
    to whom, and from when to when the rule applies. A change of the law is a new rule with its dates (Decree
    80/2020 until 7 December 2025, Decree 313/2025 from 8 December 2025), so past duties keep the rule they
    were generated under. A period belongs to the rule in force on the day it ends."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ar = models.CharField(_("name (Arabic)"), max_length=300, blank=True)
    form_number = models.CharField(
        _("form"), max_length=20, blank=True, help_text=_("The official form's number, e.g. 04 or 05.")
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, help_text=_("The decree and article, e.g. Decree 58/2022/NĐ-CP Art. 21.")
    )
    reporter = models.CharField(_("who reports"), max_length=16, choices=Reporter.choices)
    period_kind = models.CharField(_("period"), max_length=16, choices=PeriodKind.choices, blank=True)
    due_months_after = models.PositiveSmallIntegerField(
        _("due: months after the period's end"),
        default=0,
        validators=[MaxValueValidator(24)],
        help_text=_("0: in the month the period ends; 1: the month after; 6: six months after."),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due: day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Empty: the same day of the month as the period's end (within N months of the end)."),
    )
    reviewer = models.CharField(_("reviewed by"), max_length=16, choices=Reviewer.choices)
    recipient_vi = models.CharField(_("sent to (Vietnamese)"), max_length=300)
    recipient_en = models.CharField(_("sent to (English)"), max_length=300)
    recipient_ar = models.CharField(_("sent to (Arabic)"), max_length=300, blank=True)
    prefill = models.CharField(_("pre-filled figures"), max_length=32, choices=Prefill.choices, blank=True)
    effective_from = models.DateField(_("applies to periods ending from"))
    effective_until = models.DateField(_("applies to periods ending until"), null=True, blank=True)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Where a date is a reading of the decree rather than its words, say so.")
    )

    history = HistoricalRecords()
    # The law is national: everyone signed in reads the rules; central officers (who keep the national registers)
    # and administrators keep them.
    scope_policy = ScopePolicy(
        rules={
            **{role: {Action.VIEW: EVERYTHING} for role in Role.values},
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING, Action.ADD: EVERYTHING, Action.CHANGE: EVERYTHING},
        }
    )

    class Meta:
        verbose_name = _("reporting duty rule")
        verbose_name_plural = _("reporting duty rules")
        ordering = ["reporter", "effective_from", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def recipient(self) -> str:
        return _localized(self, "recipient")

    def get_absolute_url(self) -> str:
        return reverse("obligations:rule", kwargs={"public_id": self.public_id})


def _localized(record: models.Model, field: str) -> str:
    """A name in the reader's language: Vietnamese, Arabic where given, else English."""
    language = (translation.get_language() or "vi")[:2]
    value = getattr(record, f"{field}_{language}", "") if language in ("vi", "en", "ar") else ""
    return str(value or getattr(record, f"{field}_en"))


# A province sees the duties it owes and those it reviews; an NGO its own; central officers all. Submitting is
# `change`: the reporter (an NGO's representative, the province for itself or for an aid owner without an account);
# reviewing is `approve`: the receiving office (the reviewing province's approvers, central officers for the centre).
_PROVINCE_OWES = InJurisdiction("province")
_PROVINCE_REVIEWS = InJurisdiction("reviewing_province")
_PROVINCE_SEES = AnyOf((_PROVINCE_OWES, _PROVINCE_REVIEWS))
_NGO_OWN = OfOwnOrganisation("organisation")

OBLIGATION_POLICY = ScopePolicy(
    rules={
        Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING, Action.APPROVE: OwnedByTheCentre("reviewing_province")},
        Role.PROVINCIAL_APPROVER: {
            Action.VIEW: _PROVINCE_SEES,
            Action.CHANGE: _PROVINCE_OWES,
            Action.APPROVE: _PROVINCE_REVIEWS,
        },
        Role.PROVINCIAL_EDITOR: {Action.VIEW: _PROVINCE_SEES, Action.CHANGE: _PROVINCE_OWES},
        Role.PROVINCIAL_VIEWER: {Action.VIEW: _PROVINCE_SEES},
        Role.NGO_REPRESENTATIVE: {Action.VIEW: _NGO_OWN, Action.CHANGE: _NGO_OWN},
    }
)


class Obligation(BaseModel):
    """A report owed: one rule, one subject (an aid item, a province, or an NGO — for a province to review, one per
    province its registration covers), one period. `subject_key` names the subject, so that generating again never
    makes a second obligation for the same rule, subject and period."""

    rule = models.ForeignKey(DutyRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="obligations")
    subject_key = models.CharField(_("subject"), max_length=60, editable=False)
    aid_item = models.ForeignKey(
        "aid.AidItem",
        verbose_name=_("aid item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("reporting organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
    )
    province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("reporting province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The province that reports, or submits for an aid owner without an account."),
    )
    reviewing_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("reviewing province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: central officers review it."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=16, choices=ObligationState.choices, default=ObligationState.OPEN)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    history = HistoricalRecords()
    scope_policy = OBLIGATION_POLICY

    class Meta:
        verbose_name = _("reporting duty")
        verbose_name_plural = _("reporting duties")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key", "period_start"], name="obligations_one_per_rule_subject_period"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_date"], name="obligations_state_due"),
            models.Index(fields=["reviewing_province", "state"], name="obligations_reviewer_state"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.subject_label} · {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    @property
    def subject_label(self) -> str:
        if self.aid_item_id is not None:
            return str(self.aid_item)
        if self.organisation_id is not None:
            return self.organisation.local_name if self.organisation else ""
        return self.province.name if self.province else ""

    def get_absolute_url(self) -> str:
        return reverse("obligations:detail", kwargs={"public_id": self.public_id})


# Who sees a duty sees what was submitted for it.
_SUBMISSION_OF_PROVINCE = AnyOf(
    (InJurisdiction("obligation__province"), InJurisdiction("obligation__reviewing_province"))
)


def submission_path(submission: Submission, filename: str) -> str:
    return f"obligations/{submission.obligation.public_id}/{filename}"


class Submission(BaseModel):
    """One report sent for an obligation: its file and, for the standard forms, the figures Amity filled in and
    those the submitter confirmed or corrected (both kept, so the difference is known). The latest counts."""

    obligation = models.ForeignKey(
        Obligation, verbose_name=_("reporting duty"), on_delete=models.PROTECT, related_name="submissions"
    )
    file = models.FileField(_("report file"), upload_to=submission_path, max_length=300)
    note = models.TextField(_("note"), blank=True)
    prefilled = models.JSONField(_("figures filled in by Amity"), default=dict, blank=True)
    figures = models.JSONField(_("figures as submitted"), default=dict, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING},
            **{role: {Action.VIEW: _SUBMISSION_OF_PROVINCE} for role in PROVINCIAL_ROLES},
            Role.NGO_REPRESENTATIVE: {Action.VIEW: OfOwnOrganisation("obligation__organisation")},
        }
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.obligation} · {self.created_at:%d/%m/%Y}"

    @property
    def differences(self) -> dict[str, tuple[str, str]]:
        """The figures the submitter changed: name → (filled in, submitted)."""
        return {
            name: (str(value), str(self.figures.get(name, "")))
            for name, value in self.prefilled.items()
            if str(self.figures.get(name, value)) != str(value)
        }


class Reminder(models.Model):
    """An e-mail sent about duties, recorded so that none is sent twice: `key` names what it was about (one
    obligation and the moment, or an office's overdue digest of one week)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    key = models.CharField(_("about"), max_length=100)
    recipient = models.EmailField(_("recipient"))
    obligation = models.ForeignKey(
        Obligation, verbose_name=_("reporting duty"), null=True, on_delete=models.CASCADE, related_name="reminders"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["key", "recipient"], name="obligations_reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class RulePreview(models.Model):
    """What saving a rule's change would do to its duties, counted by the task worker (seconds for a national rule:
    too long for a request) and shown on the rule's form while the user decides. `data` is the rule as the form
    had it (JSON: dates as ISO text), `rule` the stored rule it changes (empty for a new one) with the version the
    user saw; `result` the counts and a sample by province (`selectors.effect_summary`). Each user reads their
    own; the daily task removes them after a week (they hold no record of their own)."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    rule = models.ForeignKey(
        DutyRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(_("rule as changed"), default=dict)
    expected_version = models.PositiveIntegerField(_("version seen"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PreviewStatus.choices, default=PreviewStatus.QUEUED)
    result = models.JSONField(_("effect"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)  # an English source text, shown in the reader's language
    error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.JSONField(
        _("worker"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The process counting (host, process, database session), to tell when it has died."),
    )

    objects = AllRecordsManager()
    # Whoever may change rules asks for previews (the service checks it); each reads only their own.
    scope_policy = ScopePolicy(rules={Role.CENTRAL_OFFICER: {Action.VIEW: OwnedBy("created_by")}})

    class Meta:
        verbose_name = _("rule change preview")
        verbose_name_plural = _("rule change previews")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.data.get('code', '')} · {self.created_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("obligations:rule_preview", kwargs={"public_id": self.public_id})

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_PREVIEW_STATUSES

    def error_text(self) -> str:
        """Why the count failed, in the reader's language."""
        if not self.error:
            return ""
        params = {name: value for name, value in self.error_params.items() if name != "reasons"}
        return gettext(self.error) % params if params else gettext(self.error)

    def error_reasons(self) -> list[str]:
        """The rules the change breaks now, when that is why it failed, in the reader's language."""
        return [
            gettext(reason["message"]) % reason["params"] if reason.get("params") else gettext(reason["message"])
            for reason in self.error_params.get("reasons", [])
        ]
