"""The demo accounts created by `make run`, one per role (password `amity-demo-2025`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

DEMO_PASSWORD = "amity-demo-2025"
DEMO_PROVINCE_CODE = "31"  # Hải Phòng, which absorbed Hải Dương on 1 Jul 2025
DEMO_ORGANISATION_IATI_ID = "XM-DAC-DEMO-1"
DEMO_EMAIL_DOMAIN = "demo.amity.invalid"  # marks demo accounts so that `load_demo --remove` finds them


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    note: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMINISTRATOR, "everything, including the Django admin"),
    DemoAccount("central", Role.CENTRAL_OFFICER, "national register, all provinces"),
    DemoAccount("approver", Role.PROVINCIAL_APPROVER, "Hải Phòng (31)"),
    DemoAccount("editor", Role.PROVINCIAL_EDITOR, "Hải Phòng (31)"),
    DemoAccount("viewer", Role.PROVINCIAL_VIEWER, "Hải Phòng (31)"),
    DemoAccount("ngo", Role.NGO_REPRESENTATIVE, "its own organisation"),
)


def demo_users_ensure() -> list[DemoAccount]:
    """Create the demo accounts if missing (idempotent; existing accounts keep their password)."""
    province = AdministrativeUnit.objects.get(era="2025", level="province", code=DEMO_PROVINCE_CODE)
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            iati_identifier=DEMO_ORGANISATION_IATI_ID,
            defaults={
                "name": "Demo Friendship Foundation",
                "acronym": "DEMO",
                "kind": OrganisationKind.FOUNDATION,
                "is_demo": True,
            },
        )
        for account in DEMO_ACCOUNTS:
            if User.objects.filter(username=account.username).exists():
                continue
            user = User(
                username=account.username,
                role=account.role,
                email=f"{account.username}@{DEMO_EMAIL_DOMAIN}",
                first_name="Demo",
                is_staff=account.role == Role.ADMINISTRATOR,
                is_superuser=account.role == Role.ADMINISTRATOR,
                organisation=organisation if account.role == Role.NGO_REPRESENTATIVE else None,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if account.role in {Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_EDITOR, Role.PROVINCIAL_VIEWER}:
                user.jurisdictions.set([province])
    return list(DEMO_ACCOUNTS)
