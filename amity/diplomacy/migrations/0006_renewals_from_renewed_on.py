"""A partnership's renewals as rows of their own, from its former single `renewed_on` (removed by the next
migration): every date the field ever held — read from the partnership's history, then its current value — becomes
a renewal, with the term end in force while it was the latest (the term stored in the last history row that had
it), recorded by whom and when it was first stored, with a history row saying where it came from. The second step
of three (add, fill, drop): the renewals' table exists, `renewed_on` still does."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db import migrations
from django.utils import timezone

REASON = "Recorded from the partnership's last renewal date"


def renewals_from_renewed_on(apps: Any, schema_editor: Any) -> None:
    partnerships = apps.get_model("diplomacy", "Partnership")
    partnership_history = apps.get_model("diplomacy", "HistoricalPartnership")
    renewal_model = apps.get_model("diplomacy", "AgreementRenewal")
    renewal_history = apps.get_model("diplomacy", "HistoricalAgreementRenewal")
    # partnership id → renewal date → [term end in force while it was the latest, first recorded by, first when]
    found: dict[int, dict[date, list[Any]]] = defaultdict(dict)
    rows = partnership_history.objects.exclude(renewed_on=None).order_by("id", "history_date", "history_id")
    for pk, renewed, term, user_id, when in rows.values_list(
        "id", "renewed_on", "term_ends_on", "history_user_id", "history_date"
    ).iterator():
        known = found[pk].get(renewed)
        if known is None:
            found[pk][renewed] = [term, user_id, when]
        else:
            known[0] = term
    now = timezone.now()
    stored = {p.pk: p for p in partnerships._base_manager.all()}
    for p in stored.values():
        if p.renewed_on is not None:  # the value as stored wins: its term is the one in force now
            found[p.pk].setdefault(p.renewed_on, [p.term_ends_on, None, now])[0] = p.term_ends_on
    made: list[tuple[Any, Any, datetime]] = []
    for pk, renewals in found.items():
        partnership = stored.get(pk)
        if partnership is None:  # history of a row since removed from the table: nothing to renew
            continue
        for renewed, (term, user_id, when) in sorted(renewals.items()):
            renewal = renewal_model(
                partnership_id=pk,
                owning_province_id=partnership.owning_province_id,
                old_province_id=partnership.old_province_id,
                renewed_on=renewed,
                term_ends_on=term,
                is_demo=partnership.is_demo,
                created_at=when,
                updated_at=when,
            )
            made.append((renewal, user_id, when))
    renewal_model._base_manager.bulk_create([renewal for renewal, _user, _when in made], batch_size=500)
    tracked = [f.attname for f in renewal_model._meta.concrete_fields]
    renewal_history._base_manager.bulk_create(
        [
            renewal_history(
                **{name: getattr(renewal, name) for name in tracked},
                history_date=when,
                history_type="+",
                history_user_id=user_id,
                history_change_reason=REASON,
            )
            for renewal, user_id, when in made
        ],
        batch_size=500,
    )


def renewed_on_from_renewals(apps: Any, schema_editor: Any) -> None:
    """Backwards: each partnership's `renewed_on` is its latest live renewal's date again."""
    partnerships = apps.get_model("diplomacy", "Partnership")
    renewal_model = apps.get_model("diplomacy", "AgreementRenewal")
    latest: dict[int, date] = {}
    live = renewal_model._base_manager.filter(deleted_at=None).order_by("renewed_on", "pk")
    for pk, renewed in live.values_list("partnership_id", "renewed_on"):
        latest[pk] = renewed
    for pk, renewed in latest.items():
        partnerships._base_manager.filter(pk=pk).update(renewed_on=renewed)


class Migration(migrations.Migration):
    dependencies = [
        ("diplomacy", "0005_agreement_renewals"),
    ]

    operations = [
        migrations.RunPython(renewals_from_renewed_on, renewed_on_from_renewals),
    ]
