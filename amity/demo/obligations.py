"""Demo reporting duties: the demo NGO registered in Hải Phòng, the duties generated from the reference rules
for the demo register, and the demo NGO's last Form 05 submitted and accepted, so that every page has something
to show. Removed with the rest of the demo (`demo_obligations_remove`, before the records they concern)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from amity.accounts.models import User
from amity.obligations.choices import ObligationState
from amity.obligations.models import Obligation, Reminder, Submission
from amity.obligations.services import obligations_generate
from amity.organisations.models import Organisation, Registration
from amity.reference.models import AdministrativeUnit

from .users import DEMO_ORGANISATION_IATI_ID, DEMO_PROVINCE_CODE

DEMO_PDF = b"%PDF-1.4\n% Amity demo: Form 05\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def demo_obligations_load(today: date | None = None) -> int:
    """Register the demo NGO in the demo province (3 years from 360 days ago), generate the duties, and submit
    and accept its Form 05 of the last full NGO year. Returns the number of duties."""
    today = today or timezone.localdate()
    organisation = Organisation.objects.get(iati_identifier=DEMO_ORGANISATION_IATI_ID)
    province = AdministrativeUnit.objects.get(era="2025", level="province", code=DEMO_PROVINCE_CODE)
    if not Registration.all_objects.filter(organisation=organisation).exists():
        # Less than a year ago (not yet counted inactive on the watch list), before the last NGO year's end.
        issued = today - timedelta(days=360)
        registration = Registration.objects.create(
            organisation=organisation,
            kind="operation",
            number="DEMO-001/BNG-GĐK",
            issue_date=issued,
            expiry_date=issued + timedelta(days=3 * 365 - 1),
            is_demo=True,
        )
        registration.provinces.set([province])
    obligations_generate(today=today)
    last = (
        Obligation.objects.filter(rule__code="d58-form-05", organisation=organisation, due_date__lt=today)
        .order_by("-period_start")
        .first()
    )
    representative = User.objects.filter(organisation=organisation).first()
    if last is not None and last.state == ObligationState.OPEN:
        submission = Submission(obligation=last, note="Demo", submitted_by=representative, is_demo=True)
        submission.file.save("mau-05-demo.pdf", ContentFile(DEMO_PDF), save=False)
        submission.save()
        Obligation.objects.filter(pk=last.pk).update(
            state=ObligationState.ACCEPTED, submitted_at=timezone.now(), reviewed_at=timezone.now()
        )
    return Obligation.objects.count()


def demo_obligations_remove() -> int:
    """Remove the duties of demo records (their aid items and organisations), with their submissions."""
    demo = Q(aid_item__is_demo=True) | Q(organisation__is_demo=True)
    obligations = Obligation.all_objects.filter(demo)
    Reminder.objects.filter(obligation__in=obligations).delete()
    Submission.history.filter(obligation__in=obligations).delete()
    Submission.all_objects.filter(obligation__in=obligations).delete()
    Obligation.history.filter(id__in=obligations.values("pk")).delete()
    count, _detail = obligations.delete()
    return count
