"""People's diplomacy: a province's Union of Friendship Organizations with its units and member associations,
its partnerships with foreign localities, its events, delegations, and international visitors and volunteers.

Every record belongs to a union and is owned by the union's province of the current era (`owning_province`, the
scope policy's field); it also keeps the province of the old era it was recorded under (`old_province`), so that
figures of 2018–2024 stay reportable by the old province after the 2025 merger (`services.union_merge`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.files import ATTACHMENTS, IMAGES
from amity.core.models import AttachedFile, BaseModel, CleanTextModel, RecordQuerySet, attached_file
from amity.core.scoping import (
    EVERYTHING,
    Action,
    InJurisdiction,
    OfOwnOrganisation,
    ScopePolicy,
    province_owned_rules,
)

from .choices import (
    AttachmentKind,
    Direction,
    EventType,
    Gender,
    LocalityLevel,
    MemberRole,
    PartnershipStatus,
    PersonKind,
    PersonStatus,
    UnionStatus,
    UnitKind,
    UnitStatus,
)

_PROVINCE_OWNED = ScopePolicy(rules=province_owned_rules("owning_province"))


def _with_participating_organisations() -> ScopePolicy:
    """Province-owned, and an NGO representative reads the records its organisation takes part in."""
    rules = province_owned_rules("owning_province")
    rules[Role.NGO_REPRESENTATIVE] = {Action.VIEW: OfOwnOrganisation("organisations")}
    return ScopePolicy(rules=rules)


def _current_province(verbose_name: Any) -> Any:
    return models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("The union's province of the current era: its staff keep the record."),
    )


def _old_province() -> Any:
    return models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province before 2025"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        limit_choices_to={"level": "province", "era": "pre2025"},
        help_text=_("The province of the old era the record was kept under, kept through the 2025 merger."),
    )


class Union(BaseModel):
    """A province's Union of Friendship Organizations (Liên hiệp các tổ chức hữu nghị)."""

    name = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province served"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("The province of either era whose union this is (Hải Dương's before 2025)."),
    )
    owning_province = _current_province(_("owning province"))
    old_province = _old_province()
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("as an organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The union's entry in the organisations register (as aid owner)."),
    )
    website = models.URLField(_("electronic information page"), blank=True)
    website_opened_on = models.DateField(_("information page opened on"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UnionStatus.choices, default=UnionStatus.ACTIVE)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_unions",
        editable=False,
    )
    merged_on = models.DateField(_("merged on"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    scope_policy = _PROVINCE_OWNED

    class Meta:
        verbose_name = _("union of friendship organizations")
        verbose_name_plural = _("unions of friendship organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:union", kwargs={"public_id": self.public_id})


class UnionRecord(BaseModel):
    """What every record of a union's register has: its union and the provinces it is kept under."""

    union = models.ForeignKey(Union, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    owning_province = _current_province(_("owning province"))
    old_province = _old_province()

    class Meta:
        abstract = True


class UnionUnit(UnionRecord):
    """One of the units a union leads: its office, its centre, or a member friendship association
    (hội hữu nghị Việt Nam – <country>)."""

    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    name = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    partner_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("partner country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner_region = models.CharField(
        _("partner region"), max_length=200, blank=True, help_text=_("For an association with a region (ASEAN…).")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founding_decision = models.CharField(_("founding decision"), max_length=200, blank=True)
    leader_name = models.CharField(_("leader"), max_length=200, blank=True)
    leader_title = models.CharField(_("leader's title"), max_length=200, blank=True)
    term = models.CharField(_("term"), max_length=50, blank=True, help_text=_("For example 2022–2027."))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)

    history = HistoricalRecords()
    scope_policy = _PROVINCE_OWNED

    class Meta:
        verbose_name = _("union unit")
        verbose_name_plural = _("union units")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["owning_province", "kind"], name="diplomacy_unit_prov_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:unit", kwargs={"public_id": self.public_id})


class MemberCount(CleanTextModel):
    """An association's number of members in a year (a part of the unit, written with it)."""

    unit = models.ForeignKey(UnionUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="member_counts")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1945), MaxValueValidator(2199)])
    members = models.PositiveIntegerField(_("members"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member count")
        verbose_name_plural = _("member counts")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="diplomacy_member_count_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.members}"


class Partnership(UnionRecord):
    """Cooperation between a Vietnamese province (of the era in force when the agreement was signed) and a
    foreign locality, with its agreement."""

    vietnamese_locality = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("Vietnamese province"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("A province of the era in force on the day the agreement was signed."),
    )
    foreign_locality = models.CharField(_("foreign locality"), max_length=300)
    foreign_locality_vi = models.CharField(_("foreign locality (Vietnamese)"), max_length=300, blank=True)
    country = models.ForeignKey(
        "reference.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16, choices=LocalityLevel.choices)
    signed_on = models.DateField(_("agreement signed on"))
    signatories = models.TextField(_("signatories"), blank=True)
    agreement_reference = models.CharField(
        _("agreement document"), max_length=200, blank=True, help_text=_("Number or title of the agreement.")
    )
    term_ends_on = models.DateField(
        _("term ends on (as signed)"),
        null=True,
        blank=True,
        help_text=_(
            "The end of the term the agreement was signed for; after a renewal, the renewal's term is in force."
        ),
    )
    areas = models.TextField(_("areas of cooperation"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnershipStatus.choices, default=PartnershipStatus.ACTIVE
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("organisations taking part"), blank=True, related_name="+"
    )
    aid_items = models.ManyToManyField("aid.AidItem", verbose_name=_("aid items"), blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[organisations, aid_items])
    scope_policy = _with_participating_organisations()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["country", "foreign_locality"]

    def __str__(self) -> str:
        return self.foreign_locality

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:partnership", kwargs={"public_id": self.public_id})


def _of_partnerships_taken_part_in() -> ScopePolicy:
    """Owned by the partnership's province, and an NGO representative reads what belongs to the partnerships its
    organisation takes part in."""
    rules = province_owned_rules("owning_province")
    rules[Role.NGO_REPRESENTATIVE] = {Action.VIEW: OfOwnOrganisation("partnership__organisations")}
    return ScopePolicy(rules=rules)


class AgreementRenewal(BaseModel):
    """A renewal of a partnership's agreement: the day it was renewed, the new term (its end, or a number of years
    counted from the renewal), who signed, the document, notes. The term in force is the latest renewal's — or, with
    none, the term the agreement was signed for (`selectors.with_agreement_term`, the one rule). Owned, like every
    record of the union, by the partnership's province (copied by the batch service, `renewals_save`)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.PROTECT, related_name="renewals"
    )
    owning_province = _current_province(_("owning province"))
    old_province = _old_province()
    renewed_on = models.DateField(_("renewed on"))
    term_ends_on = models.DateField(
        _("new term ends on"),
        null=True,
        blank=True,
        help_text=_("Empty for a renewal without a fixed term, or give the term in years."),
    )
    term_years = models.PositiveSmallIntegerField(
        _("term in years"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Without an end date, the term ends the day before the renewal's anniversary that many years on."),
    )
    signatories = models.TextField(_("signatories"), blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("renewal document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The renewal as recorded in the documents register."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()
    scope_policy = _of_partnerships_taken_part_in()

    class Meta:
        verbose_name = _("renewal of an agreement")
        verbose_name_plural = _("renewals of agreements")
        ordering = ["renewed_on", "pk"]
        indexes = [models.Index(fields=["partnership", "renewed_on"], name="diplomacy_renewal_partnership")]

    def __str__(self) -> str:
        if self.renewed_on is None:
            return gettext("Renewal")
        return gettext("Renewed on %(date)s") % {"date": formats.date_format(self.renewed_on, "SHORT_DATE_FORMAT")}

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:agreement_renewal", kwargs={"public_id": self.public_id})


class Event(UnionRecord):
    """An activity of people's diplomacy: a commemoration, a friendship meeting, a Tet visit, an exchange…"""

    event_type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    title = models.CharField(_("title (Vietnamese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty for a one-day event."))
    place = models.CharField(_("place"), max_length=300, blank=True)
    organising_units = models.ManyToManyField(
        UnionUnit, verbose_name=_("organising units and associations"), blank=True, related_name="events"
    )
    partnerships = models.ManyToManyField(
        Partnership, verbose_name=_("partnerships"), blank=True, related_name="events"
    )
    countries = models.ManyToManyField(
        "reference.Country", verbose_name=_("foreign countries"), blank=True, related_name="+"
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("foreign partners"), blank=True, related_name="+"
    )
    vietnamese_participants = models.PositiveIntegerField(_("Vietnamese participants"), default=0)
    foreign_participants = models.PositiveIntegerField(_("foreign participants"), default=0)
    aid_items = models.ManyToManyField("aid.AidItem", verbose_name=_("aid items"), blank=True, related_name="+")
    description = models.TextField(_("description"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "Shown on the public information page: its title, type, dates, place, union and description "
            "(never its participants' details, files or linked records)."
        ),
    )

    history = HistoricalRecords(m2m_fields=[organising_units, partnerships, countries, organisations, aid_items])
    # Not a `public` table of the policy: that is a floor for every signed-in user, and would add other provinces'
    # public events to a province's lists and figures. The public page reads them with
    # `selectors.public_events_between`, the register's one definition of what is public.
    scope_policy = _with_participating_organisations()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["owning_province", "start_date"], name="diplomacy_event_prov_date"),
            models.Index(fields=["start_date"], name="diplomacy_event_date"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self) -> date:
        return self.end_date or self.start_date

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:event", kwargs={"public_id": self.public_id})


class EventAttachment(AttachedFile):
    """A photo or document of an event (`core.models.AttachedFile`); served only through the event's scoped view."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = attached_file("diplomacy/events/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=500, blank=True)

    def accepted_kinds(self) -> Sequence[str]:
        return IMAGES if self.kind == AttachmentKind.PHOTO else ATTACHMENTS  # a photo is shown on the event's page

    @property
    def shown_inline(self) -> bool:
        return self.kind == AttachmentKind.PHOTO


class Delegation(UnionRecord):
    """A delegation received (incoming) or sent abroad (outgoing, with the decision permitting it)."""

    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    country = models.ForeignKey(
        "reference.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart = models.CharField(
        _("organisation or locality"), max_length=300, help_text=_("Whom the delegation comes from or visits.")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    head_name = models.CharField(_("head of delegation"), max_length=200, blank=True)
    head_title = models.CharField(_("head's title"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("members"), default=1, validators=[MinValueValidator(1)])
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    purpose = models.TextField(_("purpose"), blank=True)
    hosts = models.TextField(_("hosts"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    permit_number = models.CharField(_("permitting decision number"), max_length=100, blank=True)
    permit_date = models.DateField(_("permitting decision date"), null=True, blank=True)
    permit_authority = models.CharField(_("permitting authority"), max_length=300, blank=True)
    events = models.ManyToManyField(Event, verbose_name=_("events"), blank=True, related_name="delegations")
    aid_items = models.ManyToManyField("aid.AidItem", verbose_name=_("aid items"), blank=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[events, aid_items])
    scope_policy = _PROVINCE_OWNED

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["owning_province", "start_date"], name="diplomacy_deleg_prov_date"),
            models.Index(fields=["start_date"], name="diplomacy_deleg_date"),
        ]

    def __str__(self) -> str:
        return f"{self.counterpart} ({self.start_date:%Y})"

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:delegation", kwargs={"public_id": self.public_id})


class DelegationDay(CleanTextModel):
    """A day of a delegation's programme (its itinerary), a part written with the delegation."""

    delegation = models.ForeignKey(
        Delegation, verbose_name=_("delegation"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("day"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    programme = models.TextField(_("programme"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme day")
        verbose_name_plural = _("programme days")
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"{self.day}: {self.programme[:40]}"


# Personal data of a visitor or volunteer, and of a member of a friendship association: each model names its
# fields (`personal_fields`), and one rule (`amity.diplomacy.personal`) shows them only to the owning province's
# staff, never exports them, and `purge_personal_data` removes them for people gone for longer than the
# retention period.
PERSONAL_FIELDS = ("full_name", "date_of_birth", "passport_number", "email", "phone")
MEMBER_PERSONAL_FIELDS = ("full_name", "gender", "birth_year", "occupation", "email", "phone", "notes")


class Visitor(UnionRecord):
    """An international visitor or volunteer: one person, or a group counted by its size."""

    kind = models.CharField(_("kind"), max_length=16, choices=PersonKind.choices)
    group_size = models.PositiveIntegerField(
        _("people"), default=1, validators=[MinValueValidator(1)], help_text=_("1 for one person; more for a group.")
    )
    group_name = models.CharField(_("group"), max_length=300, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    nationality = models.ForeignKey(
        "reference.Country", verbose_name=_("nationality"), on_delete=models.PROTECT, related_name="+"
    )
    sending_organisation = models.CharField(_("sending organisation"), max_length=300, blank=True)
    host_placement = models.CharField(_("host placement"), max_length=300, blank=True)
    field = models.CharField(_("field"), max_length=200, blank=True, help_text=_("Teaching, health, community…"))
    start_date = models.DateField(_("arrival"))
    end_date = models.DateField(_("departure"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.PRESENT)
    personal_data_removed_on = models.DateField(_("personal data removed on"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    scope_policy = _PROVINCE_OWNED
    personal_fields: ClassVar[tuple[str, ...]] = PERSONAL_FIELDS

    class Meta:
        verbose_name = _("visitor or volunteer")
        verbose_name_plural = _("visitors and volunteers")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["owning_province", "start_date"], name="diplomacy_visitor_prov_date"),
            models.Index(fields=["start_date"], name="diplomacy_visitor_date"),
        ]

    def __str__(self) -> str:
        return self.group_name or self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:visitor", kwargs={"public_id": self.public_id})


class AssociationMember(BaseModel):
    """An individual member of a member friendship association ("individual members optional, as personal data"):
    owned through the association, by its union's province (copied by the batch service, as every record of the
    register takes its union's), and kept under the old-era province the association had when it was recorded.
    Name, gender, year of birth, occupation, contacts and notes are personal data (`personal_fields`); joining,
    leaving and the role are what the association's member counts are computed from."""

    association = models.ForeignKey(
        UnionUnit,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": UnitKind.ASSOCIATION},
    )
    owning_province = _current_province(_("owning province"))
    old_province = _old_province()
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2199)]
    )
    occupation = models.CharField(_("occupation or workplace"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    role = models.CharField(
        _("role in the association"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True, help_text=_("Empty while a member."))
    notes = models.TextField(_("notes"), blank=True)
    personal_data_removed_on = models.DateField(_("personal data removed on"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    scope_policy = _PROVINCE_OWNED
    personal_fields: ClassVar[tuple[str, ...]] = MEMBER_PERSONAL_FIELDS

    class Meta:
        verbose_name = _("member of an association")
        verbose_name_plural = _("members of associations")
        ordering = ["joined_on", "pk"]
        indexes = [models.Index(fields=["owning_province", "joined_on"], name="diplomacy_member_prov_joined")]

    def __str__(self) -> str:
        # Never the name: a record's name is shown in places (headings, history, links) that do not ask who reads.
        if self.joined_on is None:
            return str(self.get_role_display())
        return gettext("%(role)s since %(year)s") % {"role": self.get_role_display(), "year": self.joined_on.year}

    def get_absolute_url(self) -> str:
        return reverse("diplomacy:member", kwargs={"public_id": self.public_id})


class CalendarFeed(models.Model):
    """A user's private calendar feed: the digest of its secret token (the token itself is shown once), revoked by
    issuing a new one or by deleting it. Not a domain record: it belongs to its user alone."""

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="diplomacy_calendar_feed"
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class DiplomacyRollup(models.Model):
    """Yearly counts of the register by province (both eras), kind of record, code and country: what the
    dashboard and the period report read instead of the events, delegations and visitors when a period is whole
    years and the user's scope is a province or everything (`amity.diplomacy.rollups`), at two grains: by
    province, and for the whole country.

    Maintained by differences inside the batch services' transaction: the records' old contribution is appended
    with a minus sign, their new one with a plus, so writers never update a shared row and a key may have several
    rows that add up (`records` tells a key whose records are all gone); `rebuild_diplomacy_rollups` sums them
    again from the records (after a bulk load, or to compact them). Derived data: no foreign-key constraints."""

    # 1: by province (the current era's and the old era's); 2: the whole country (no province), what the national
    # view reads — a few thousand rows instead of tens of thousands.
    grain = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)  # event, delegation, visitor (`rollups.SOURCES`)
    year = models.PositiveSmallIntegerField()
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    old_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    code = models.CharField(max_length=32)  # the event's type, the delegation's direction, the person's kind
    country = models.ForeignKey(  # the delegation's country, the visitor's nationality; none for an event
        "reference.Country", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    records = models.IntegerField()
    people = models.IntegerField()  # visitors and volunteers counted (a group by its size)
    vietnamese = models.IntegerField()  # an event's Vietnamese participants
    foreign = models.IntegerField()  # an event's foreign participants

    objects = RecordQuerySet.as_manager()

    # As the records for the roles whose scope is a province or everything (the others read the records).
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {Action.VIEW: InJurisdiction("owning_province")},
            Role.PROVINCIAL_EDITOR: {Action.VIEW: InJurisdiction("owning_province")},
            Role.PROVINCIAL_VIEWER: {Action.VIEW: InJurisdiction("owning_province")},
        }
    )

    class Meta:
        verbose_name = _("diplomacy rollup")
        verbose_name_plural = _("diplomacy rollups")
        indexes = [
            # The national view reads every row of its years in key order from the index alone.
            models.Index(
                fields=["grain", "year", "kind", "code", "country", "records", "people", "vietnamese", "foreign"],
                name="diplomacy_rollup_year",
            ),
            models.Index(fields=["owning_province", "year"], name="diplomacy_rollup_prov_year"),
            models.Index(fields=["old_province", "year"], name="diplomacy_rollup_old_year"),
        ]

    def __str__(self) -> str:
        return f"{self.grain}/{self.kind}/{self.year}/{self.code}: {self.records}"
