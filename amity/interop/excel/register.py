"""The organisations and registrations sheets: each row read, matched and checked against the organisation
services' rules (the register is written row by row through those services)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Model

from amity.core.scoping import Action
from amity.core.services import chunks
from amity.organisations.choices import OrganisationKind, OrganisationStatus, RegistrationKind
from amity.organisations.models import Organisation, Registration
from amity.organisations.names import normalise_name
from amity.organisations.services import check_registration_dates
from amity.reference.models import Country

from . import problems as P
from .cells import INVALID, blank_texts, cell_text, code_of, row_fields, uuid_of
from .matching import Matcher
from .reader import SheetData
from .saving import UNCHANGED, Planned

# --- organisations -------------------------------------------------------------------------------------------


# Allowed codes of the choice columns, computed once (an enum's `.values` builds a new list on every call).
ORGANISATION_KIND_CODES = frozenset(OrganisationKind.values)
ORGANISATION_STATUS_CODES = frozenset(OrganisationStatus.values)
REGISTRATION_KIND_CODES = frozenset(RegistrationKind.values)


class OrganisationChecker(Matcher):
    model = Organisation
    foreign_keys = ("owning_province", "country", "iati_type")
    texts = ("name_vi", "acronym", "iati_identifier", "website", "email", "phone", "address", "description")

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["organisations"]
        ids = self._ids(sheet)
        records, changeable = self.existing(ids, select=())
        by_iati, by_name = self._natural_keys(sheet)
        changeable |= self.changeable_pks(
            {r.pk for r in by_iati.values()} | {r.pk for group in by_name.values() for r in group}
        )
        provinces = self.provinces()
        countries = {country.code: country for country in Country.objects.all()}
        types = self.codelist("OrganisationType")
        seen_ids: dict[uuid.UUID, int] = {}
        seen_iati: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        may_add = Organisation.scope_policy.allows(self.user, Action.ADD)
        planned = []
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            values = {
                "name": self.value(sheet, row, "name"),
                "name_vi": self.value(sheet, row, "name_vi"),
                "acronym": self.value(sheet, row, "acronym"),
                "kind": self.value(sheet, row, "kind", allowed=ORGANISATION_KIND_CODES),
                "iati_identifier": self.value(sheet, row, "iati_identifier"),
                "iati_type": self.value(sheet, row, "iati_type", allowed=types),
                "country": self.value(sheet, row, "country", allowed=countries),
                "website": self.value(sheet, row, "website"),
                "email": self.value(sheet, row, "email"),
                "phone": self.value(sheet, row, "phone"),
                "address": self.value(sheet, row, "address"),
                "status": self.value(sheet, row, "status", allowed=ORGANISATION_STATUS_CODES),
                "owning_province": self.value(sheet, row, "owning_province", allowed=provinces, pad=2),
                "description": self.value(sheet, row, "description"),
            }
            version = self.value(sheet, row, "version")
            data = row_fields(values)
            if data is None or not usable:
                continue
            blank_texts(data, self.texts)
            if data["status"] is None:
                data["status"] = record.status if record else OrganisationStatus.ACTIVE
            iati = data["iati_identifier"]
            name = normalise_name(data["name"])
            if iati and iati in seen_iati:
                self.report(sheet, row, "iati_identifier", P.DUPLICATE_IATI, other=seen_iati[iati])
                continue
            if name in seen_names:
                self.report(sheet, row, "name", P.DUPLICATE_NAME, other=seen_names[name])
                continue
            if iati:
                seen_iati[iati] = row.number
            seen_names[name] = row.number
            if record is None:  # no id: the same IATI identifier or name is an update of that record
                match = by_iati.get(iati) if iati else None
                key = "iati_identifier"
                if match is None and len(by_name.get(name, [])) == 1:
                    match, key = by_name[name][0], "name"
                if match is not None:
                    record = self.matched(
                        sheet, row, key, match, changeable, iati if key == "iati_identifier" else data["name"]
                    )
                    if record is INVALID:
                        continue
            elif iati and iati in by_iati and by_iati[iati].pk != record.pk:
                self.report(sheet, row, "iati_identifier", P.IATI_TAKEN, value=iati)
                continue
            if record is None and not may_add:
                self.report(sheet, row, "", P.NOT_ADDABLE)
                continue
            if (record is None or record.owning_province_id != getattr(data["owning_province"], "pk", None)) and not (
                self.may_hold(data["owning_province"])
            ):
                province = data["owning_province"]
                self.report(
                    sheet, row, "owning_province", P.OUTSIDE_JURISDICTION, province=province.code if province else "—"
                )
                continue
            item = self.plan(sheet, row, record, data, version, identifier=iati or data["name"])
            if item.action == UNCHANGED or self.validate_instance(sheet, row, item.instance):
                planned.append(item)
        return planned

    def _ids(self, sheet: SheetData) -> set[uuid.UUID]:
        return {uid for row in sheet.rows if (uid := uuid_of(row.values.get("id"))) is not None}

    def _natural_keys(self, sheet: SheetData) -> tuple[dict[str, Organisation], dict[str, list[Organisation]]]:
        """Existing organisations (deleted too) with an IATI identifier or a name found in the file."""
        iatis = {cell_text(row.values["iati_identifier"]) for row in sheet.rows if row.values.get("iati_identifier")}
        names = {normalise_name(cell_text(row.values["name"])) for row in sheet.rows if row.values.get("name")}
        by_iati: dict[str, Organisation] = {}
        for chunk in chunks(iatis):
            for organisation in Organisation.all_objects.filter(iati_identifier__in=chunk):
                by_iati[organisation.iati_identifier] = organisation
        by_name: dict[str, list[Organisation]] = defaultdict(list)
        # Names are compared normalised, which SQL cannot do on both databases alike: read the names (a few
        # thousand short rows nationally) and compare here.
        for organisation in Organisation.all_objects.only(
            "pk", "name", "deleted_at", "owning_province_id", "version", "public_id"
        ):
            key = normalise_name(organisation.name)
            if key in names:
                by_name[key].append(organisation)
        full = {o.pk: o for o in Organisation.all_objects.filter(pk__in=[o.pk for g in by_name.values() for o in g])}
        return by_iati, {key: [full[o.pk] for o in group] for key, group in by_name.items()}


class RegistrationChecker(Matcher):
    model = Registration
    foreign_keys = ("organisation",)

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["registrations"]
        ids = {uid for row in sheet.rows if (uid := uuid_of(row.values.get("id"))) is not None}
        records, changeable = self.existing(ids)
        numbers = {code_of(row.values.get("number", "")) for row in sheet.rows}
        by_number = {
            (r.kind, r.number): r
            for chunk in chunks(numbers)
            for r in Registration.all_objects.filter(number__in=chunk)
        }
        changeable |= self.changeable_pks(r.pk for r in by_number.values())
        everything = list(records.values()) + list(by_number.values())
        _prefetch_m2m(everything, ("provinces", "sectors"))
        provinces = self.provinces()
        categories = self.codelist("SectorCategory")
        may_add = Registration.scope_policy.allows(self.user, Action.ADD)
        seen_ids: dict[uuid.UUID, int] = {}
        seen_numbers: dict[tuple[str, str], int] = {}
        planned = []
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            values = {
                "organisation": self.value(sheet, row, "organisation"),
                "kind": self.value(sheet, row, "kind", allowed=REGISTRATION_KIND_CODES),
                "number": self.value(sheet, row, "number"),
                "issuing_body": self.value(sheet, row, "issuing_body"),
                "issue_date": self.value(sheet, row, "issue_date"),
                "expiry_date": self.value(sheet, row, "expiry_date"),
                "provinces": self.value(sheet, row, "provinces", allowed=provinces, pad=2),
                "sectors": self.value(sheet, row, "sectors", allowed=categories),
                "note": self.value(sheet, row, "note"),
            }
            version = self.value(sheet, row, "version")
            data = row_fields(values)
            if data is None or not usable:
                continue
            blank_texts(data, ("note",))
            data["provinces"] = data["provinces"] or []
            data["sectors"] = data["sectors"] or []
            if not data["issuing_body"]:
                data["issuing_body"] = (
                    record.issuing_body if record else Registration._meta.get_field("issuing_body").default
                )
            key = (data["kind"], data["number"])
            if key in seen_numbers:
                self.report(sheet, row, "number", P.DUPLICATE_NUMBER, other=seen_numbers[key])
                continue
            seen_numbers[key] = row.number
            if data["organisation"].kind not in {OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION}:
                self.report(sheet, row, "organisation", P.NOT_REGISTRANT)
                continue
            match = by_number.get(key)
            if record is None and match is not None:
                record = self.matched(sheet, row, "number", match, changeable, data["number"])
                if record is INVALID:
                    continue
            elif record is not None and match is not None and match.pk != record.pk:
                self.report(sheet, row, "number", P.NUMBER_TAKEN, value=data["number"])
                continue
            if record is None and not may_add:
                self.report(sheet, row, "", P.NOT_ADDABLE)
                continue
            try:
                check_registration_dates(
                    kind=data["kind"], issue_date=data["issue_date"], expiry_date=data["expiry_date"]
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("expiry_date", exc.messages):
                    self.report(sheet, row, "expiry_date", P.INVALID, error=message)
                continue
            if record is not None and data["expiry_date"] != record.expiry_date:
                self.report(sheet, row, "expiry_date", P.EXPIRY_CHANGE)
                continue
            item = self.plan(sheet, row, record, data, version, identifier=data["number"])
            if item.action == UNCHANGED or self.validate_instance(sheet, row, item.instance):
                planned.append(item)
        return planned


def _prefetch_m2m(records: Sequence[Model], names: Sequence[str]) -> None:
    from django.db.models import prefetch_related_objects

    unique = list({record.pk: record for record in records}.values())
    if unique:
        prefetch_related_objects(unique, *names)
