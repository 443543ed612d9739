"""The codes of reporting duties: who reports, over which period, to whom, and where a duty stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Reporter(models.TextChoices):
    """Who owes the report: one obligation is generated for each subject of this kind."""

    AID_OWNER = "aid_owner", _("Aid owner (for each aid item)")
    PROVINCE = "province", _("Managing agency (for each province)")
    NGO = "ngo", _("Foreign NGO (for each registered organisation)")


class PeriodKind(models.TextChoices):
    HALF_YEAR = "half_year", _("Each half-year (January–June, July–December)")
    FIRST_HALF = "first_half", _("First half-year (January–June; the year is the annual report)")
    YEAR = "year", _("Calendar year")
    NGO_YEAR = "ngo_year", _("NGO reporting year (15 December – 14 December)")
    COMPLETION = "completion", _("Once, at the end of the aid item")


class Reviewer(models.TextChoices):
    """Who receives and reviews the report."""

    PROVINCE = "province", _("The province concerned (its foreign-affairs office)")
    CENTRE = "centre", _("Central officers")


class Prefill(models.TextChoices):
    """Figures Amity fills in from its own data for the submitter to confirm or correct."""

    NONE = "", _("No figures")
    AID_DISBURSEMENTS = "aid_disbursements", _("The aid item's disbursements in the period")
    PROVINCE_NGO_FIGURES = "province_ngo_figures", _("The province's NGO figures in the period (Form 04)")


class ObligationState(models.TextChoices):
    """What has happened to a duty (stored); `ObligationStatus` adds where an open one stands in time."""

    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class ObligationStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


OPEN_STATES = frozenset({ObligationState.OPEN, ObligationState.RETURNED})  # still owed: reminders go out


class ReviewDecision(models.TextChoices):
    RETURN = "return", _("Return for correction")
    ACCEPT = "accept", _("Accept")


class ReminderKind(models.TextChoices):
    PERIOD_START = "start", _("The period has started")
    HALFWAY = "halfway", _("Half-way to the due date")
    DAY_BEFORE = "day_before", _("Due tomorrow")
    OVERDUE_DIGEST = "digest", _("Weekly overdue digest")


# The figures of the standard forms, by the names Amity fills them in under (`selectors.prefill_figures`).
FIGURE_LABELS = {
    "disbursements": _("Disbursements (number)"),
    "disbursed_usd": _("Disbursed (USD)"),
    "disbursed_vnd": _("Disbursed (VND)"),
    "registered_ngos": _("Foreign NGOs registered in the province"),
    "aid_items": _("Aid items with transactions"),
    "donors": _("Donors"),
    "committed_usd": _("Committed (USD)"),
}


class PreviewStatus(models.TextChoices):
    """Where the count of a rule change's effect stands (`RulePreview`, counted by the task worker)."""

    QUEUED = "queued", _("Waiting to be counted")
    RUNNING = "running", _("Being counted")
    DONE = "done", _("Counted")
    FAILED = "failed", _("Could not be counted")


SETTLED_PREVIEW_STATUSES = frozenset({PreviewStatus.DONE, PreviewStatus.FAILED})


class EffectKind(models.TextChoices):
    """What saving a rule would do to one duty (a rule change's preview)."""

    CREATED = "created", _("New duty")
    UPDATED = "updated", _("Due date moved")
    WITHDRAWN = "withdrawn", pgettext_lazy("a duty no longer owed", "Withdrawn")
    RESTORED = "restored", _("Owed again")
