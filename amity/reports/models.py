"""Report facts (a maintained aggregate table) and published reports (frozen figures)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import BaseModel, RecordQuerySet
from amity.core.scoping import (
    EVERYTHING,
    Action,
    InJurisdiction,
    OfOwnOrganisation,
    ScopePolicy,
    Through,
)

_IN_PROVINCE = InJurisdiction("province")


class ReportFact(models.Model):
    """One part of one transaction: its share of one sector in one location, in the original currency, USD
    and VND, allocated by largest remainder so that the parts of a transaction add up exactly to it.

    Rebuilt for an aid item by `reports.facts.facts_refresh` inside every write that changes the item, its
    splits, participants or transactions (and after re-valuation), so report queries are plain GROUP BYs over
    one narrow table. The transaction's own attributes are copied here to avoid joins on the hot path.

    Derived rows, written only by `facts_refresh` from records that hold these references under their own
    constraints: the foreign keys carry no database constraint here (Django still cascades and protects on
    delete), so that a bulk import does not pay a million deferred checks at commit — as the rollups. Nor do
    they carry single-column indexes (but the transaction's, which a cascade looks up): reports read the
    composite indexes below, and every index is paid again for each of the millions of rows an import adds.
    """

    transaction = models.ForeignKey("aid.Transaction", db_constraint=False, on_delete=models.CASCADE, related_name="+")
    aid_item = models.ForeignKey(
        "aid.AidItem", db_constraint=False, db_index=False, on_delete=models.CASCADE, related_name="+"
    )
    transaction_type = models.CharField(max_length=2)
    value_date = models.DateField()
    year = models.PositiveSmallIntegerField()
    sector = models.ForeignKey(
        "reference.CodelistItem",
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the aid item gives no sector."),
    )
    sector_category = models.ForeignKey(
        "reference.CodelistItem",
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    province = models.ForeignKey(
        "reference.AdministrativeUnit",
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Current-era province of the location (old units mapped forward); empty for nationwide aid, not "
            "allocated to a province."
        ),
    )
    old_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Pre-2025 province when the location is an old-era unit; empty for current-era locations."),
    )
    donor = models.ForeignKey(
        "organisations.Organisation",
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    donor_country = models.ForeignKey(
        "reference.Country", db_constraint=False, db_index=False, null=True, on_delete=models.PROTECT, related_name="+"
    )
    modality = models.CharField(max_length=16)
    status = models.CharField(max_length=20)
    is_relief = models.BooleanField()
    currency = models.ForeignKey(
        "reference.Currency", db_constraint=False, db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    amount_usd = models.DecimalField(max_digits=20, decimal_places=2)
    amount_vnd = models.DecimalField(max_digits=24, decimal_places=0)

    objects = RecordQuerySet.as_manager()

    # A province's figures are the parts located in it; central officers see the national consolidation.
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {Action.VIEW: _IN_PROVINCE},
            Role.PROVINCIAL_EDITOR: {Action.VIEW: _IN_PROVINCE},
            Role.PROVINCIAL_VIEWER: {Action.VIEW: _IN_PROVINCE},
            Role.NGO_REPRESENTATIVE: {
                Action.VIEW: Through("aid_item__participants", OfOwnOrganisation("organisation"))
            },
        }
    )

    class Meta:
        verbose_name = _("report fact")
        verbose_name_plural = _("report facts")
        indexes = [
            models.Index(fields=["transaction_type", "year"], name="reports_fact_type_year"),
            models.Index(fields=["province", "transaction_type", "year"], name="reports_fact_prov_type_year"),
            models.Index(fields=["aid_item"], name="reports_fact_item"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id}: {self.amount_usd} USD"


class ReportRollup(models.Model):
    """Yearly sums of the report facts at a few grains (`reports.rollups.GRAINS`): what `selectors.report`
    reads instead of the facts when a report allows it (whole years, money measures, no beneficiary filter, a
    user scoped by province or not at all), so that a national report sums thousands of rows, not millions.

    Maintained with the facts: `facts_refresh` appends the difference it makes (the items' old facts summed
    with a minus sign, the new ones with a plus), so a key may have several rows that add up, and `parts`
    (the number of facts) tells a key whose facts are all gone; `rollups_rebuild` compacts them. Columns not in
    a row's grain are empty (but `is_official`, which every grain has: the status basis of DESIGN.md invariant
    11). Derived data: no foreign-key constraints in the database.
    """

    grain = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    transaction_type = models.CharField(max_length=2)
    province = models.ForeignKey(
        "reference.AdministrativeUnit",
        null=True,  # nationwide aid
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    old_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    sector = models.ForeignKey(
        "reference.CodelistItem",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    sector_category = models.ForeignKey(
        "reference.CodelistItem",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    donor = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    donor_country = models.ForeignKey(
        "reference.Country",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    modality = models.CharField(max_length=16, null=True)
    status = models.CharField(max_length=20, null=True)
    is_relief = models.BooleanField(null=True)
    # In every grain: whether the item's status is one official figures count (`aid.choices.OFFICIAL_STATUSES`).
    is_official = models.BooleanField()
    amount_usd = models.DecimalField(max_digits=20, decimal_places=2)
    amount_vnd = models.DecimalField(max_digits=24, decimal_places=0)
    parts = models.IntegerField()

    objects = RecordQuerySet.as_manager()

    # As the facts, for the roles whose scope is a province or everything (the others read the facts).
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {Action.VIEW: _IN_PROVINCE},
            Role.PROVINCIAL_EDITOR: {Action.VIEW: _IN_PROVINCE},
            Role.PROVINCIAL_VIEWER: {Action.VIEW: _IN_PROVINCE},
        }
    )

    class Meta:
        verbose_name = _("report rollup")
        verbose_name_plural = _("report rollups")
        # The two grains behind the dashboards and the year × sector category × province table are read in
        # key order from an index holding every column they sum or filter by (no sort, no hash, no table access).
        _SUMMED = ["transaction_type", "is_official", "amount_usd", "amount_vnd", "parts"]
        indexes = [
            models.Index(fields=["grain", "year"], name="reports_rollup_grain_year"),
            models.Index(fields=["grain", "province", "year"], name="reports_rollup_grain_prov_year"),
            models.Index(
                fields=["year", "sector_category", "province", *_SUMMED],
                condition=models.Q(grain=2),
                name="reports_rollup_sector_prov",
            ),
            models.Index(
                fields=["year", "donor_country", "donor", *_SUMMED],
                condition=models.Q(grain=4),
                name="reports_rollup_donor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain}/{self.year}/{self.transaction_type}: {self.amount_usd} USD"


class PublishedReport(BaseModel):
    """Figures a province or the centre published: parameters, figures and a content hash, frozen."""

    title = models.CharField(_("title"), max_length=300)
    province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("Empty for a national report."),
    )
    parameters = models.JSONField(_("parameters"))
    figures = models.JSONField(_("figures"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    history = HistoricalRecords()
    # Published figures are public by nature: every published report, national or a province's, is read by
    # the public and — the public table being a floor for every signed-in user — by every role, on its page, in
    # its exports and in the API alike. Publishing stays with central officers and a province's approvers.
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.PUBLISH: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {Action.PUBLISH: InJurisdiction("province")},
        },
        public={Action.VIEW: EVERYTHING},
    )

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:published", kwargs={"public_id": self.public_id})

    @property
    def publisher_label(self) -> str:
        """Who published the figures, as every page, export and API (signed-in or public) names it: the office —
        the province's People's Committee for a province's report, the Committee for Foreign NGO Affairs for a
        national one. Published figures are public, so never the officer who pressed the button (their name, user
        name or e-mail); who that was is in the report's history, for staff."""
        if self.province is None:
            return gettext("Committee for Foreign Non-Governmental Organisation Affairs")
        return gettext("People's Committee of %(province)s") % {"province": self.province.full_name}
