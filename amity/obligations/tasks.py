"""Background work of the reporting duties (Django Tasks API; immediate in tests, the database queue otherwise).
Tasks receive ids, never model instances."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from .reminders import reminders_send
from .services import obligations_generate, rule_previews_purge

DAILY_AT = time(6, 0)  # local time of the daily run: before the offices open


@task()
def generate_obligations(aid_item_ids: list[int] | None = None, rule_ids: list[int] | None = None) -> int:
    """Generate the obligations again (of these aid items or rules only, when given); returns how many changed."""
    result = obligations_generate(aid_item_ids=aid_item_ids, rule_ids=rule_ids)
    return result.created + result.updated + result.withdrawn + result.restored


@task()
def obligations_daily(reschedule: bool = True) -> int:
    """The daily run: the obligations of the new day (a period begun, a registration issued), then the reminders
    due, and the previews of rule changes older than a week removed; then the next run is queued for tomorrow
    morning. Every step is idempotent, so a second chain (or cron's `send_reminders` as well) sends nothing twice.
    Returns the number of e-mails sent."""
    obligations_generate()
    sent = reminders_send()
    rule_previews_purge()
    if reschedule:
        tomorrow = timezone.localdate() + timedelta(days=1)
        run_after = timezone.make_aware(datetime.combine(tomorrow, DAILY_AT))
        obligations_daily.using(run_after=run_after).enqueue(reschedule=True)
    return sent


@task()
def preview_rule_change(preview_public_id: str) -> str:
    """Count what saving a rule's change would do to its duties (`services.rule_preview_execute`)."""
    from .models import RulePreview
    from .services import rule_preview_execute

    preview = RulePreview.objects.filter(public_id=preview_public_id).select_related("created_by").first()
    if preview is None:  # removed before a worker came to it
        return ""
    return rule_preview_execute(preview=preview).status
