"""Aid items (programmes, projects, non-project aid), their participants, sector and location splits, and
their transactions in any currency with the conversion to USD and VND stored beside each value."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import BaseModel
from amity.core.money import HUNDRED
from amity.core.scoping import (
    Action,
    AnyOf,
    InJurisdiction,
    OfOwnOrganisation,
    ScopePolicy,
    Through,
    province_owned_rules,
)

from .choices import (
    AidStatus,
    BeneficiaryGroup,
    BudgetKind,
    BudgetStatus,
    Modality,
    ParticipantRole,
    ReportedStatus,
    TransactionType,
)

APPRAISAL_DAYS = 20  # Decree 80/2020 Art. 10: appraisal within 20 days of a complete dossier
START_DEADLINE_DAYS = 183  # Art. 4.7: approval may be revoked if the aid has not started within 6 months

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _aid_policy(prefix: str) -> ScopePolicy:
    """Aid items and their transactions: the owning province writes, provinces where the item is located
    read it, central officers read everything, an NGO reads the items it takes part in."""
    rules = province_owned_rules(
        f"{prefix}owning_province",
        readable_through=(Through(f"{prefix}locations", InJurisdiction("current_province")),),
        centre_may_own=True,  # nationwide aid a central officer records or imports
    )
    # An NGO reads, in any province, the items it takes part in and those it owns (it reports on them).
    rules[Role.NGO_REPRESENTATIVE] = {
        Action.VIEW: AnyOf(
            (
                Through(f"{prefix}participants", OfOwnOrganisation("organisation")),
                OfOwnOrganisation(f"{prefix}aid_owner"),
            )
        ),
    }
    return ScopePolicy(rules=rules)


# History is read record by record (by `id`, indexed): the indexes django-simple-history copies from the
# record's own unique and foreign-key fields are never read, and an import pays each for every row it adds.
UNREAD_HISTORY_INDEXES = [
    "public_id",
    "aid_item",
    "currency",
    "provider",
    "receiver",
    "owning_province",
    "managing_agency",
    "aid_owner",
    "counterpart_currency",
]


def viet_nam_share_field(*, minimum: Decimal, help_text: Any) -> models.DecimalField[Decimal, Decimal]:
    """Viet Nam's share of an activity or a transaction, in percent (DESIGN.md invariant 2)."""
    return models.DecimalField(
        _("Viet Nam's share (%)"),
        max_digits=5,
        decimal_places=2,
        default=HUNDRED,
        db_default=HUNDRED,  # bulk loaders that do not name the column (benchmarks/generate.py)
        validators=[MinValueValidator(minimum), MaxValueValidator(100)],
        help_text=help_text,
    )


class AidItem(BaseModel):
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices)
    is_relief = models.BooleanField(_("relief aid"), default=False)
    reference = models.CharField(_("reference number"), max_length=60, blank=True)
    iati_identifier = models.CharField(_("IATI identifier"), max_length=200, blank=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("owning province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("Empty: kept by central officers (nationwide aid, or aid the centre records)."),
    )
    managing_agency = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("managing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_aid",
    )
    aid_owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("aid owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_aid",
    )
    status = models.CharField(_("status"), max_length=20, choices=AidStatus.choices, default=AidStatus.PROPOSED)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    appraisal_started_on = models.DateField(_("appraisal started"), null=True, blank=True)
    decision_number = models.CharField(_("approval decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("approval decision date"), null=True, blank=True)
    decision_authority = models.CharField(_("approving authority"), max_length=300, blank=True)
    # When the approval in force was recorded (the approval, or the latest re-approval): what changed since then
    # needs re-approval (`selectors.changes_since_approval`).
    approved_at = models.DateTimeField(_("approval recorded at"), null=True, blank=True, editable=False)
    status_note = models.TextField(_("reason for the last status change"), blank=True)
    counterpart_amount = models.DecimalField(
        _("counterpart funds"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    counterpart_currency = models.ForeignKey(
        "reference.Currency",
        verbose_name=_("counterpart funds currency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What IATI carries beyond Amity's own fields, kept so that an import loses nothing and an export gives it
    # back: titles and descriptions in other languages, recipient countries and regions.
    narratives = models.JSONField(
        _("titles and descriptions in other languages"),
        default=dict,
        db_default={},  # bulk loaders that do not name the column (benchmarks/generate.py) get an empty object
        blank=True,
        help_text=_('{"title": {"fr": "…"}, "description": {"fr": "…"}}: languages other than Vietnamese and English.'),
    )
    recipient_countries = models.JSONField(
        _("recipient countries"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_('[{"code": "VN", "percentage": "100"}]: ISO 3166 codes with IATI percentages.'),
    )
    viet_nam_share = viet_nam_share_field(
        minimum=Decimal(0),
        help_text=_(
            "The part of a multi-country activity that is Viet Nam's (its recipient-country percentage); "
            "transactions that name no recipient country count by it."
        ),
    )

    reported_status = models.CharField(
        _("status reported by the donor"),
        max_length=1,
        blank=True,
        default="",
        db_default="",
        choices=ReportedStatus.choices,
        help_text=_("The IATI activity status the donor's file gives; Amity's own status follows its lifecycle."),
    )
    recipient_regions = models.JSONField(
        _("recipient regions"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_('[{"code": "789", "vocabulary": "1", "percentage": "50"}]: IATI region codes.'),
    )

    history = HistoricalRecords(no_db_index=UNREAD_HISTORY_INDEXES)
    scope_policy = _aid_policy("")

    class Meta:
        verbose_name = _("aid item")
        verbose_name_plural = _("aid items")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="aid_unique_iati_identifier",
            ),
        ]
        indexes = [models.Index(fields=["owning_province", "status"], name="aid_item_province_status")]

    def __str__(self) -> str:
        return self.title_vi

    def get_absolute_url(self) -> str:
        return reverse("aid:detail", kwargs={"public_id": self.public_id})

    @property
    def appraisal_deadline(self) -> date | None:
        if self.appraisal_started_on is None:
            return None
        return self.appraisal_started_on + timedelta(days=APPRAISAL_DAYS)

    @property
    def start_deadline(self) -> date | None:
        if self.decision_date is None:
            return None
        return self.decision_date + timedelta(days=START_DEADLINE_DAYS)


class AidBeneficiary(models.Model):
    aid_item = models.ForeignKey(AidItem, on_delete=models.CASCADE, related_name="beneficiaries")
    group = models.CharField(_("beneficiary group"), max_length=32, choices=BeneficiaryGroup.choices)

    class Meta:
        verbose_name = _("beneficiary group")
        verbose_name_plural = _("beneficiary groups")
        constraints = [models.UniqueConstraint(fields=["aid_item", "group"], name="aid_beneficiary_unique")]

    def __str__(self) -> str:
        return self.get_group_display()


class AidParticipant(models.Model):
    aid_item = models.ForeignKey(AidItem, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=2, choices=ParticipantRole.choices)

    history = HistoricalRecords(no_db_index=["organisation"])  # read by item (`aid_item_history`), not by organisation

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["aid_item", "organisation", "role"], name="aid_participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class SectorSplit(models.Model):
    """A share of a DAC 5-digit sector, or of a DAC 3-digit category when that is all the source gives (IATI
    sector vocabulary 2); reports put a category share under the category itself."""

    aid_item = models.ForeignKey(AidItem, on_delete=models.CASCADE, related_name="sectors")
    sector = models.ForeignKey(
        "reference.CodelistItem",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"codelist__name__in": ["Sector", "SectorCategory"]},
    )
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, validators=PERCENT)

    history = HistoricalRecords(no_db_index=["sector"])  # read by item (`aid_item_history`), not by sector

    class Meta:
        verbose_name = _("sector share")
        verbose_name_plural = _("sector shares")
        ordering = ["-percentage", "pk"]
        constraints = [models.UniqueConstraint(fields=["aid_item", "sector"], name="aid_sector_unique")]

    def __str__(self) -> str:
        return f"{self.sector} {self.percentage}%"


class LocationSplit(models.Model):
    """A commune or a whole province of either era. `current_province` is the 2025-era province it lies in
    (through the mapping for old units), so a province reads the aid located in it whatever the era."""

    aid_item = models.ForeignKey(AidItem, on_delete=models.CASCADE, related_name="locations")
    unit = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, validators=PERCENT)
    current_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province (current era)"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords(no_db_index=["unit", "current_province"])  # read by item, not by place

    class Meta:
        verbose_name = _("location share")
        verbose_name_plural = _("location shares")
        ordering = ["-percentage", "pk"]
        constraints = [models.UniqueConstraint(fields=["aid_item", "unit"], name="aid_location_unique")]
        indexes = [models.Index(fields=["current_province", "aid_item"], name="aid_location_province")]

    def __str__(self) -> str:
        return f"{self.unit} {self.percentage}%"


class Budget(models.Model):
    """A budget of the aid item for one period (IATI `budget`), in its own currency; not a commitment, so
    reports do not sum it."""

    aid_item = models.ForeignKey(AidItem, on_delete=models.CASCADE, related_name="budgets")
    kind = models.CharField(_("type"), max_length=1, choices=BudgetKind.choices, default=BudgetKind.ORIGINAL)
    status = models.CharField(_("status"), max_length=1, choices=BudgetStatus.choices, default=BudgetStatus.INDICATIVE)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.ForeignKey(
        "reference.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    value_date = models.DateField(_("value date"))

    history = HistoricalRecords(no_db_index=["currency"])  # read by item, not by currency

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["period_start", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="aid_budget_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}: {self.amount} {self.currency_id}"


# A transaction's stored conversion, computed from its amount, currency and value date (`value_transaction`):
# never input, rewritten when rates change.
CONVERSION_FIELDS = ("amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source")


class Transaction(BaseModel):
    # Indexed by aid_tx_item_type_date, whose first column it is.
    aid_item = models.ForeignKey(AidItem, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    transaction_type = models.CharField(_("type"), max_length=2, choices=TransactionType.choices)
    date = models.DateField(_("date"))
    value_date = models.DateField(_("value date"), help_text=_("The date whose exchange rate values the amount."))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.ForeignKey(
        "reference.Currency",
        verbose_name=_("currency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    provider = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("receiver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    # Kept only when not zero: a transaction for another country is not Viet Nam's aid (`amity.aid.rules`).
    viet_nam_share = viet_nam_share_field(
        minimum=Decimal("0.01"),
        help_text=_("The part of the amount that counts as aid to Viet Nam: 100 unless the activity is shared."),
    )

    # The conversion at the value-date rate, stored beside the value and recomputed when rates change.
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2, editable=False)
    amount_vnd = models.DecimalField(_("amount (VND)"), max_digits=24, decimal_places=0, editable=False)
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=28, decimal_places=12, editable=False)
    vnd_per_unit = models.DecimalField(_("VND per unit"), max_digits=28, decimal_places=12, editable=False)
    rate_date = models.DateField(_("rate date"), editable=False)
    rate_source = models.CharField(_("rate source"), max_length=500, editable=False)

    history = HistoricalRecords(no_db_index=UNREAD_HISTORY_INDEXES)
    scope_policy = _aid_policy("aid_item__")

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["aid_item", "transaction_type", "value_date"], name="aid_tx_item_type_date"),
            models.Index(fields=["transaction_type", "value_date"], name="aid_tx_type_date"),
        ]
        # Amounts are net: negative for reversals, refunds and de-obligations; zero moves nothing.
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="aid_tx_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.get_transaction_type_display()} {self.amount} {self.currency_id} {self.date}"

    def get_absolute_url(self) -> str:
        return self.aid_item.get_absolute_url() + f"#tx-{self.public_id}"
