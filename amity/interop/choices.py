"""Choices of the data exchange: what an import reads and where a run stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    IATI = "iati", _("IATI activity file")
    ORGANISATIONS = "organisations", _("Excel: organisations")
    REGISTRATIONS = "registrations", _("Excel: registrations")
    AID_ITEMS = "aid_items", _("Excel: aid items")
    TRANSACTIONS = "transactions", _("Excel: transactions")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


FINISHED_STATUSES = frozenset({ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED})
# Nothing runs for a run in these: finished, or checked and waiting for the user's confirmation.
SETTLED_STATUSES = FINISHED_STATUSES | {ImportStatus.CHECKED}


class ExportKind(models.TextChoices):
    IATI_ACTIVITIES = "iati_activities", _("IATI activity file")
    IATI_ORGANISATIONS = "iati_organisations", _("IATI organisation file")
    EXCEL_ORGANISATIONS = "excel_organisations", _("Excel: organisations")
    EXCEL_REGISTRATIONS = "excel_registrations", _("Excel: registrations")
    EXCEL_AID_ITEMS = "excel_aid_items", _("Excel: aid items")
    EXCEL_TRANSACTIONS = "excel_transactions", _("Excel: transactions")
