"""Reporting duties for tests: the seeded rules by code, an NGO with a registration, small files."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from amity.obligations.models import DutyRule, Obligation
from amity.organisations.models import Organisation, Registration
from amity.reference.models import AdministrativeUnit

# The smallest PDF `filetype` recognises: the magic bytes and an end.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "bao-cao.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def rule(code: str) -> DutyRule:
    return DutyRule.objects.get(code=code)


def register(
    organisation: Organisation,
    *provinces: AdministrativeUnit,
    issued: date = date(2024, 1, 10),
    expires: date = date(2027, 1, 9),
    number: str = "01/BNG-GĐK",
) -> Registration:
    registration = Registration.objects.create(
        organisation=organisation, kind="operation", number=number, issue_date=issued, expiry_date=expires
    )
    registration.provinces.set(provinces)
    return registration


def of_rule(code: str, **filters: Any) -> list[Obligation]:
    return list(Obligation.objects.filter(rule__code=code, **filters).order_by("period_start", "subject_key"))
