"""Writes on reporting duties: the rules (administrators), the obligations generated from them (the system), the
reports submitted (the reporter) and their review (the receiving office). Batch-first, like the aid register's
services: every row checked and every breach collected before anything is written; `dry_run` writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amity.aid.choices import OFFICIAL_STATUSES
from amity.aid.models import AidItem
from amity.core.breaches import BatchRefused, Breach, Breaches
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.files import DOCUMENTS, check_upload
from amity.core.scoping import Action
from amity.core.services import (
    CHUNK,
    apply_fields,
    check_version,
    claim_versions,
    ensure_all_allowed,
    ensure_may_add,
    save_with_history,
)
from amity.organisations.choices import RegistrationState
from amity.organisations.models import Organisation, Registration
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from . import selectors
from .choices import (
    EffectKind,
    ObligationState,
    PeriodKind,
    Prefill,
    PreviewStatus,
    Reporter,
    ReviewDecision,
    Reviewer,
)
from .models import DutyRule, Obligation, RulePreview, Submission
from .periods import Period, due_date, periods_of

BATCH = 500

# --- rules ------------------------------------------------------------------------------------------------------

NO_PERIOD = gettext_noop("A rule needs a period: choose how often the report is due.")
UNTIL_BEFORE_FROM = gettext_noop("A rule cannot end before it begins.")
COMPLETION_OF_AID = gettext_noop("A report at the end of the aid is owed by an aid owner only.")
PREFILL_MISMATCH = gettext_noop("These figures are filled in for %(reporter)s only.")


@dataclass(frozen=True)
class RuleChange:
    """One duty rule for `duty_rules_save`: new (no `pk`) or stored (its `pk` and the version the user saw)."""

    data: Mapping[str, Any]
    pk: int | None = None
    expected_version: int | None = None


def check_rule(rule: DutyRule) -> None:
    """The rules of a rule, beyond its fields': a period, dates in order, kinds that fit together."""
    if not rule.period_kind:
        raise Breach("period_kind", NO_PERIOD)
    if rule.effective_until and rule.effective_from and rule.effective_until < rule.effective_from:
        raise Breach("effective_until", UNTIL_BEFORE_FROM)
    if rule.period_kind == PeriodKind.COMPLETION and rule.reporter != Reporter.AID_OWNER:
        raise Breach("period_kind", COMPLETION_OF_AID)
    fits = {Prefill.AID_DISBURSEMENTS: Reporter.AID_OWNER, Prefill.PROVINCE_NGO_FIGURES: Reporter.PROVINCE}
    if rule.prefill in fits and rule.reporter != fits[Prefill(rule.prefill)]:
        raise Breach("prefill", PREFILL_MISMATCH, {"reporter": Reporter(fits[Prefill(rule.prefill)]).label})


def duty_rules_save(
    *, user: Any, rows: Sequence[RuleChange], reason: str = "", dry_run: bool = False
) -> list[DutyRule]:
    """Create and change duty rules (administrators and central officers: the scope policy grants no one else).
    The obligations of these rules follow once the change is committed (`obligations_generate`, by the task);
    `duty_rules_effect` tells beforehand what that will change."""
    ids = {row.pk for row in rows if row.pk is not None}
    with transaction.atomic():
        if len(ids) < len(rows):
            ensure_may_add(user=user, model=DutyRule)
        ensure_all_allowed(model=DutyRule, user=user, pks=ids, action=Action.CHANGE)
        stored = DutyRule.all_objects.in_bulk(ids)
        found = Breaches()
        rules: list[DutyRule] = []
        for index, row in enumerate(rows):
            rule = DutyRule() if row.pk is None else stored[row.pk]
            apply_fields(rule, row.data)
            if dry_run and row.pk is not None:
                with found.row(index):
                    check_version(stored=rule.version, expected=row.expected_version)
            with found.row(index):
                rule.full_clean()
            with found.row(index):
                check_rule(rule)
            rules.append(rule)
        found.refuse()
        if dry_run:
            return rules
        claim_versions(
            model=DutyRule,
            claims=[(rule, row.expected_version) for rule, row in zip(rules, rows, strict=True) if row.pk],
        )
        for rule in rules:
            save_with_history(instance=rule, user=user, reason=reason)
        rule_ids = [rule.pk for rule in rules]
        transaction.on_commit(lambda: _generate_later(rule_ids))
    return rules


def _generate_later(rule_ids: list[int]) -> None:
    from .tasks import generate_obligations

    generate_obligations.enqueue(rule_ids=rule_ids)


class _Preview(Exception):
    """Raised to roll back a rule's trial write once its effect on the duties is counted."""


def duty_rules_effect(*, user: Any, rows: Sequence[RuleChange], today: date | None = None) -> Generated:
    """What saving these rules would do to the duties, without doing it: the rules written, the duties of these
    rules compared with what they would now call for (`obligations_generate(rule_ids=…, dry_run=True)`: the same
    comparison as the generation, without its writes), then all rolled back — so the preview and the save cannot
    disagree. Refused as the write would be (403 for the batch, each breach on its row)."""
    effect = Generated()
    try:
        with transaction.atomic():
            rules = duty_rules_save(user=user, rows=rows)
            effect = obligations_generate(today=today, rule_ids=[rule.pk for rule in rules], dry_run=True)
            raise _Preview
    except _Preview:
        pass
    return effect


# --- previewing a rule's change (in the task worker) ------------------------------------------------------------

PREVIEW_CONFLICT = gettext_noop(
    "Someone else changed this rule after you asked; open the rule again and check the effect of your change on it."
)
PREVIEW_REFUSED = gettext_noop(
    "The change can no longer be saved as it stands (the rules or your role changed since you asked): open the"
    " rule again and check the effect of your change."
)
PREVIEW_INTERRUPTED = gettext_noop(
    "The count was interrupted: the process counting stopped (%(host)s, process %(pid)s). Check the effect again."
)
PREVIEW_FAULT = gettext_noop(
    "The count failed. Check the effect again; if it fails again, tell the administrators (the task worker's log"
    " says why)."
)
PREVIEW_KEPT_DAYS = 7


def _rule_data_as_json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in data.items()}


def _rule_data_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = {found.name: found for found in DutyRule._meta.concrete_fields}
    return {name: fields[name].to_python(value) for name, value in data.items()}


def rule_preview_request(*, user: Any, row: RuleChange) -> RulePreview:
    """Ask what saving this rule's change would do to the duties: refused at once as the save would be (403 for
    one who may not change rules, each breach on its field, 409 for a version someone else saved since — the same
    write, rolled back), then counted by the task worker (`preview_rule_change`), since comparing a national rule's
    duties takes seconds. The preview's page shows "counting" until the count is stored."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                duty_rules_save(user=user, rows=[row])  # its on-commit regeneration goes with the rollback
                raise _Preview
        except _Preview:
            pass
        preview = RulePreview.objects.create(
            rule_id=row.pk,
            data=_rule_data_as_json(row.data),
            expected_version=row.expected_version,
            created_by=user,
        )
        public_id = str(preview.public_id)
        transaction.on_commit(lambda: _preview_later(public_id))
    return preview


def _preview_later(public_id: str) -> None:
    from .tasks import preview_rule_change

    preview_rule_change.enqueue(public_id)


def rule_preview_execute(*, preview: RulePreview, today: date | None = None) -> RulePreview:
    """Count a preview (the task's body): `duty_rules_effect` as its user, summarised by province
    (`selectors.effect_summary`), stored with the preview. A change refused now (the rule saved by someone else
    since, the user's role changed) fails with the reason."""
    from amity.interop.workers import current_worker

    preview.status = PreviewStatus.RUNNING
    preview.worker = current_worker()  # committed at once: what tells, if this process dies, that it is over
    preview.save(update_fields=["status", "worker"])
    row = RuleChange(_rule_data_from_json(preview.data), pk=preview.rule_id, expected_version=preview.expected_version)
    try:
        effect = duty_rules_effect(user=preview.created_by, rows=[row], today=today)
        preview.status, preview.result = PreviewStatus.DONE, selectors.effect_summary(effect.changes)
    except ConflictError:
        preview.status, preview.error = PreviewStatus.FAILED, PREVIEW_CONFLICT
    except BatchRefused as exc:  # each reason kept as its source text, shown in the reader's language
        reasons = [{"message": found.breach.message, "params": dict(found.breach.params)} for found in exc.breaches]
        preview.status, preview.error, preview.error_params = (
            PreviewStatus.FAILED,
            PREVIEW_REFUSED,
            {"reasons": reasons},
        )
    except (ValidationError, PermissionDenied):
        preview.status, preview.error = PreviewStatus.FAILED, PREVIEW_REFUSED
    except Exception:  # a fault: the page stops waiting and says so; the worker logs it
        preview.status, preview.error, preview.finished_at = PreviewStatus.FAILED, PREVIEW_FAULT, timezone.now()
        preview.save(update_fields=["status", "error", "finished_at"])
        raise
    preview.finished_at = timezone.now()
    preview.save(update_fields=["status", "result", "error", "error_params", "finished_at"])
    return preview


def rule_previews_recover(previews: Iterable[RulePreview]) -> list[RulePreview]:
    """Mark failed, "interrupted", the previews being counted by a process that has died (its page asks)."""
    from amity.interop.workers import worker_gone

    recovered = []
    for preview in previews:
        if preview.status != PreviewStatus.RUNNING or not preview.worker or not worker_gone(preview.worker):
            continue
        params = {"host": str(preview.worker.get("host", "?")), "pid": str(preview.worker.get("pid", "?"))}
        marked = RulePreview.objects.filter(pk=preview.pk, status=PreviewStatus.RUNNING).update(
            status=PreviewStatus.FAILED, error=PREVIEW_INTERRUPTED, error_params=params, finished_at=timezone.now()
        )
        if marked:
            preview.refresh_from_db()
            recovered.append(preview)
    return recovered


def rule_previews_purge(*, now: Any = None) -> int:
    """Remove the previews asked more than `PREVIEW_KEPT_DAYS` ago (the daily task): they record nothing."""
    before = (now or timezone.now()) - timedelta(days=PREVIEW_KEPT_DAYS)
    deleted, _by_model = RulePreview.objects.filter(created_at__lt=before).delete()
    return deleted


# --- generating the obligations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whom a rule applies to, and over which spans of time (a registration's validity, an aid item's life)."""

    key: str
    spans: tuple[tuple[date, date | None], ...]
    aid_item_id: int | None = None
    organisation_id: int | None = None
    province_id: int | None = None  # reporting province
    reviewing_province_id: int | None = None
    completed_on: date | None = None  # an aid item's end: its completion report


@dataclass(frozen=True)
class Change:
    """One duty a dry run would change (`EffectKind`): as it would be after the change — a new one unsaved —, with
    its due date before the change for one whose date moves."""

    kind: str
    obligation: Obligation
    due_before: date | None = None


@dataclass
class Generated:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    restored: int = 0
    changes: list[Change] = field(default_factory=list)  # a dry run's, for the preview of a rule's change

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn or self.restored)


def obligations_start() -> date:
    start = parse_date(str(settings.AMITY_OBLIGATIONS_START))
    if start is None:
        raise ValueError("AMITY_OBLIGATIONS_START must be a date (YYYY-MM-DD)")
    return start


def _aid_subjects(rule: DutyRule, aid_item_ids: Iterable[int] | None) -> Iterator[Subject]:
    items = AidItem.objects.filter(status__in=OFFICIAL_STATUSES)
    wanted = None if aid_item_ids is None else set(aid_item_ids)
    if wanted is not None and len(wanted) <= CHUNK:  # an import's thousands: read them all, keep those (below)
        items = items.filter(pk__in=wanted)
    columns = (
        "pk",
        "aid_owner_id",
        "owning_province_id",
        "decision_date",
        "actual_start",
        "planned_start",
        "actual_end",
    )
    for pk, owner, province, decided, started, planned, ended in items.values_list(*columns).iterator(chunk_size=2000):
        if wanted is not None and pk not in wanted:
            continue
        first = started or decided or planned
        if first is None:
            continue
        yield Subject(
            key=f"aid:{pk}",
            spans=((first, ended),),
            aid_item_id=pk,
            organisation_id=owner,
            province_id=province,
            reviewing_province_id=province if rule.reviewer == Reviewer.PROVINCE else None,
            completed_on=ended,
        )


def _province_subjects(rule: DutyRule) -> Iterator[Subject]:
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT).values_list(
        "pk", flat=True
    )
    for pk in provinces:
        yield Subject(
            key=f"province:{pk}",
            spans=((rule.effective_from, None),),
            province_id=pk,
            reviewing_province_id=pk if rule.reviewer == Reviewer.PROVINCE else None,
        )


def _ngo_subjects(rule: DutyRule) -> Iterator[Subject]:
    """Each organisation with a registration in force (or suspended: the duty stays) — for a province to review,
    once for each province its registrations cover, over the time they cover it."""
    registrations = Registration.objects.filter(
        state__in=[RegistrationState.IN_FORCE, RegistrationState.SUSPENDED],
        organisation__in=Organisation.objects.all(),
    )
    spans: dict[tuple[int, int | None], list[tuple[date, date | None]]] = defaultdict(list)
    provinces: dict[int, list[int]] = defaultdict(list)
    for registration_id, unit_id in Registration.provinces.through.objects.filter(
        registration__in=registrations
    ).values_list("registration_id", "administrativeunit_id"):
        provinces[registration_id].append(unit_id)
    for pk, organisation_id, issued, expires in registrations.values_list(
        "pk", "organisation_id", "issue_date", "expiry_date"
    ):
        covered: list[int | None] = list(provinces.get(pk, [])) if rule.reviewer == Reviewer.PROVINCE else []
        for covered_province in covered or [None]:
            spans[(organisation_id, covered_province)].append((issued, expires))
    for (ngo_id, province_id), found in sorted(spans.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        yield Subject(
            key=f"ngo:{ngo_id}" + (f":province:{province_id}" if province_id else ""),
            spans=tuple(found),
            organisation_id=ngo_id,
            reviewing_province_id=province_id,
        )


def _subjects(rule: DutyRule, aid_item_ids: Iterable[int] | None) -> Iterator[Subject]:
    if rule.reporter == Reporter.AID_OWNER:
        yield from _aid_subjects(rule, aid_item_ids)
    elif aid_item_ids is None and rule.reporter == Reporter.PROVINCE:
        yield from _province_subjects(rule)
    elif aid_item_ids is None and rule.reporter == Reporter.NGO:
        yield from _ngo_subjects(rule)


def rule_periods(rule: DutyRule, subject: Subject, *, today: date, start: date) -> Iterator[Period]:
    """The periods a subject owes this rule's report for: those begun by `today` that overlap the subject's spans,
    ending within the rule's dates (the rule in force when a period ends governs it) and on or after `start`."""
    if rule.period_kind == PeriodKind.COMPLETION:
        candidates: Iterable[Period] = (
            [Period(subject.completed_on, subject.completed_on)] if subject.completed_on else []
        )
    else:
        found: set[Period] = set()
        for first, last in subject.spans:
            end = min(last, today) if last else today
            if end >= first:
                found.update(periods_of(rule.period_kind, first, end))
        candidates = sorted(found)
    for period in candidates:
        if period.start > today or period.end < start or period.end < rule.effective_from:
            continue
        if rule.effective_until is not None and period.end > rule.effective_until:
            continue
        yield period


GENERATED = gettext_noop("Generated from the reporting rules")
WITHDRAWN = gettext_noop("Withdrawn: the rule or the record no longer calls for it")
RESTORED = gettext_noop("Owed again: the rule or the record calls for it")
REGENERATED = gettext_noop("Updated from the reporting rules")
_FOLLOWED = ("due_date", "period_end", "organisation_id", "province_id", "reviewing_province_id", "aid_item_id")


def obligations_generate(
    *,
    today: date | None = None,
    aid_item_ids: Iterable[int] | None = None,
    rule_ids: Iterable[int] | None = None,
    dry_run: bool = False,
) -> Generated:
    """Bring the obligations in line with the rules and the register: the system's one writer of obligations.

    Idempotent: an obligation is one rule × subject × period start (a unique constraint), so running it again
    changes nothing, and a change of a rule or a record changes only what it concerns: new periods and subjects
    get their obligation; a due date moved by a rule's change follows (unless accepted); an open obligation
    nothing calls for any more (the aid cancelled, the rule ended earlier) is withdrawn — soft deleted, with
    history — and owed again if called for again. Given `aid_item_ids`, only those items' obligations are
    looked at (the aid services' hook); given `rule_ids`, only those rules' (a rule's edit, `duty_rules_effect`).
    A fixed number of queries per rule and per chunk. `dry_run` counts what would change and writes nothing."""
    today = today or timezone.localdate()
    start = obligations_start()
    aid_item_ids = None if aid_item_ids is None else sorted(set(aid_item_ids))
    wanted: dict[tuple[int, str, date], Obligation] = {}
    rule_ids = None if rule_ids is None else sorted(set(rule_ids))
    rules = list(DutyRule.objects.all() if rule_ids is None else DutyRule.objects.filter(pk__in=rule_ids))
    for rule in rules:
        for subject in _subjects(rule, aid_item_ids):
            for period in rule_periods(rule, subject, today=today, start=start):
                wanted[(rule.pk, subject.key, period.start)] = Obligation(
                    rule=rule,
                    subject_key=subject.key,
                    aid_item_id=subject.aid_item_id,
                    organisation_id=subject.organisation_id,
                    province_id=subject.province_id,
                    reviewing_province_id=subject.reviewing_province_id,
                    period_start=period.start,
                    period_end=period.end,
                    due_date=due_date(period, months_after=rule.due_months_after, day=rule.due_day),
                )
    existing = Obligation.all_objects.all()
    if rule_ids is not None:
        existing = existing.filter(rule_id__in=rule_ids)
    partial = None if aid_item_ids is None else {f"aid:{pk}" for pk in aid_item_ids}
    if partial is not None:
        # Few items: by their keys; an import's thousands: every aid item's, the others skipped below.
        existing = (
            existing.filter(subject_key__in=partial)
            if len(partial) <= CHUNK
            else existing.filter(subject_key__startswith="aid:")
        )
    with_submissions = set(Submission.all_objects.values_list("obligation_id", flat=True).distinct())
    result = Generated()
    changed: list[Obligation] = []
    withdrawn: list[Obligation] = []
    now = timezone.now()
    with transaction.atomic(), translation.override(None):
        for obligation in existing.iterator(chunk_size=2000):
            key = (obligation.rule_id, obligation.subject_key, obligation.period_start)
            target = wanted.pop(key, None)
            if target is None:
                if partial is not None and obligation.subject_key not in partial:
                    continue
                if (
                    obligation.deleted_at is None
                    and obligation.state == ObligationState.OPEN
                    and obligation.pk not in with_submissions
                ):
                    obligation.deleted_at = now
                    obligation._change_reason = WITHDRAWN  # type: ignore[attr-defined]
                    withdrawn.append(obligation)
                continue
            differs = [name for name in _FOLLOWED if getattr(obligation, name) != getattr(target, name)]
            due_before = obligation.due_date
            if obligation.deleted_at is not None:
                obligation.deleted_at = None
                obligation._change_reason = RESTORED  # type: ignore[attr-defined]
                result.restored += 1
                kind = EffectKind.RESTORED
            elif differs and obligation.state != ObligationState.ACCEPTED:
                obligation._change_reason = REGENERATED  # type: ignore[attr-defined]
                result.updated += 1
                kind = EffectKind.UPDATED
            else:
                continue
            if obligation.state != ObligationState.ACCEPTED:
                for name in differs:
                    setattr(obligation, name, getattr(target, name))
            obligation.version += 1
            obligation.updated_at = now
            changed.append(obligation)
            if dry_run:
                result.changes.append(
                    Change(kind, obligation, due_before if obligation.due_date != due_before else None)
                )
        if dry_run:
            result.created, result.withdrawn = len(wanted), len(withdrawn)
            result.changes.extend(Change(EffectKind.CREATED, obligation) for obligation in wanted.values())
            result.changes.extend(Change(EffectKind.WITHDRAWN, obligation) for obligation in withdrawn)
            return result
        if wanted:
            bulk_create_with_history(
                list(wanted.values()), Obligation, batch_size=BATCH, default_change_reason=GENERATED
            )
            result.created = len(wanted)
        for group in (changed, withdrawn):
            if group:
                bulk_update_with_history(
                    group,
                    Obligation,
                    fields=[*(name.removesuffix("_id") for name in _FOLLOWED), "deleted_at", "version", "updated_at"],
                    batch_size=BATCH,
                    manager=Obligation.all_objects,
                )
        result.withdrawn = len(withdrawn)
    return result


# --- submitting ---------------------------------------------------------------------------------------------

LOCKED = gettext_noop("This report was accepted on %(date)s; it is locked and takes no further submission.")
WITHDRAWN_DUTY = gettext_noop("This duty was withdrawn; nothing is owed for it.")
NOT_BEGUN = gettext_noop("The period of this report begins on %(date)s; submit it then.")
FILE_NEEDED = gettext_noop("Attach the report's file.")
TWICE = gettext_noop("This duty is given twice in the batch.")
NOT_A_NUMBER = gettext_noop("“%(value)s” is not a number (figure “%(name)s”).")
UNKNOWN_FIGURE = gettext_noop("This form has no figure “%(name)s”.")
SUBMITTED = gettext_noop("Report submitted")


@dataclass(frozen=True)
class SubmissionRow:
    """A report for one obligation: its file, a note, and the figures as the submitter confirms or corrects them
    (None: the figures Amity filled in, confirmed as they are), with the obligation's version the user saw."""

    obligation: Obligation
    file: File[Any] | None
    note: str = ""
    figures: Mapping[str, Any] | None = None
    expected_version: int | None = None


def _checked_figures(
    found: Breaches, index: int, prefilled: Mapping[str, str], given: Mapping[str, Any] | None
) -> dict[str, str]:
    if given is None:
        return dict(prefilled)
    figures = dict(prefilled)
    for name, value in given.items():
        if name not in prefilled:
            found.add(index, Breach("figures", UNKNOWN_FIGURE, {"name": str(name)[:50]}))
            continue
        text = str(value).strip().replace(",", "")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            found.add(index, Breach("figures", NOT_A_NUMBER, {"value": str(value)[:50], "name": name}))
            continue
        figures[name] = format(number, "f")
    return figures


def submissions_save(
    *, user: Any, rows: Sequence[SubmissionRow], dry_run: bool = False, today: date | None = None
) -> list[Submission]:
    """Submit reports: the one writer of submissions. The user must be one who may submit each duty (the scope
    policy's `change`: 403 for the batch otherwise); each row needs a file of a document kind, checked by its
    content and size; a duty accepted is locked, one withdrawn or not yet begun takes nothing; figures are
    numbers of the form's own; the version the user saw is the stored one (a dry run; the write claims them:
    409). Then each submission with its file, the figures filled in beside those submitted, and the duty moved
    to "submitted", with history."""
    today = today or timezone.localdate()
    ids = [row.obligation.pk for row in rows]
    with transaction.atomic():
        ensure_all_allowed(model=Obligation, user=user, pks=set(ids), action=Action.CHANGE)
        stored = Obligation.all_objects.select_related("rule").in_bulk(ids)
        found = Breaches()
        submissions: list[Submission] = []
        seen: set[int] = set()
        for index, row in enumerate(rows):
            obligation = stored[row.obligation.pk]
            if obligation.pk in seen:
                found.add(index, Breach("obligation", TWICE))
            seen.add(obligation.pk)
            if obligation.state == ObligationState.ACCEPTED:
                found.add(
                    index,
                    Breach(
                        "obligation",
                        LOCKED,
                        {"date": timezone.localdate(obligation.reviewed_at) if obligation.reviewed_at else today},
                    ),
                )
            elif obligation.deleted_at is not None:
                found.add(index, Breach("obligation", WITHDRAWN_DUTY))
            elif obligation.period_start > today:
                found.add(index, Breach("obligation", NOT_BEGUN, {"date": obligation.period_start}))
            if row.file is None:
                found.add(index, Breach("file", FILE_NEEDED))
            else:
                for breach in check_upload(row.file, kinds=DOCUMENTS, field="file"):
                    found.add(index, breach)
            prefilled = selectors.prefill_figures(obligation)
            figures = _checked_figures(found, index, prefilled, row.figures)
            if dry_run:
                with found.row(index):
                    check_version(stored=obligation.version, expected=row.expected_version)
            submission = Submission(
                obligation=obligation, note=row.note, prefilled=prefilled, figures=figures, submitted_by=user
            )
            with found.row(index):
                submission.full_clean(exclude=["obligation", "file", "submitted_by"])
            submission.file = row.file  # a File: stored when saved
            submissions.append(submission)
        found.refuse()
        if dry_run:
            return submissions
        claim_versions(model=Obligation, claims=[(stored[row.obligation.pk], row.expected_version) for row in rows])
        now = timezone.now()
        for submission in submissions:
            save_with_history(instance=submission, user=user, reason=SUBMITTED)
            obligation = submission.obligation
            obligation.state = ObligationState.SUBMITTED
            obligation.submitted_at = now
            save_with_history(instance=obligation, user=user, reason=SUBMITTED)
            row_obligation = next(row.obligation for row in rows if row.obligation.pk == obligation.pk)
            row_obligation.state, row_obligation.version = obligation.state, obligation.version
    return submissions


def submission_create(
    *,
    user: Any,
    obligation: Obligation,
    file: File[Any] | None,
    note: str = "",
    figures: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Submission:
    """One report (a page, the API): a batch of one."""
    [submission] = submissions_save(user=user, rows=[SubmissionRow(obligation, file, note, figures, expected_version)])
    return submission


# --- reviewing ----------------------------------------------------------------------------------------------

NOT_SUBMITTED = gettext_noop("Only a submitted report can be returned or accepted; this one is “%(state)s”.")
NOTE_NEEDED = gettext_noop("Say what must be corrected.")
UNKNOWN_DECISION = gettext_noop("Choose to return or accept the report.")


@dataclass(frozen=True)
class ReviewRow:
    obligation: Obligation
    decision: str
    note: str = ""
    expected_version: int | None = None


def obligations_review(*, user: Any, rows: Sequence[ReviewRow], dry_run: bool = False) -> list[Obligation]:
    """Return reports with a note (the duty is reopened for the reporter) or accept them (locked from then on):
    the receiving office, the scope policy's `approve` (403 for the batch otherwise). Only a submitted report is
    reviewed; a return says why."""
    ids = [row.obligation.pk for row in rows]
    with transaction.atomic():
        ensure_all_allowed(model=Obligation, user=user, pks=set(ids), action=Action.APPROVE)
        stored = Obligation.all_objects.in_bulk(ids)
        found = Breaches()
        seen: set[int] = set()
        for index, row in enumerate(rows):
            obligation = stored[row.obligation.pk]
            if obligation.pk in seen:
                found.add(index, Breach("obligation", TWICE))
            seen.add(obligation.pk)
            if row.decision not in ReviewDecision.values:
                found.add(index, Breach("decision", UNKNOWN_DECISION))
            if obligation.state != ObligationState.SUBMITTED:
                found.add(
                    index, Breach("obligation", NOT_SUBMITTED, {"state": ObligationState(obligation.state).label})
                )
            if row.decision == ReviewDecision.RETURN and not row.note.strip():
                found.add(index, Breach("review_note", NOTE_NEEDED))
            if dry_run:
                with found.row(index):
                    check_version(stored=obligation.version, expected=row.expected_version)
            obligation.review_note = row.note.strip()
            with found.row(index):
                obligation.full_clean(validate_unique=False, validate_constraints=False)
        found.refuse()
        reviewed = [stored[pk] for pk in ids]
        if dry_run:
            return reviewed
        claim_versions(model=Obligation, claims=[(stored[row.obligation.pk], row.expected_version) for row in rows])
        now = timezone.now()
        for row in rows:
            obligation = stored[row.obligation.pk]
            obligation.state = (
                ObligationState.ACCEPTED if row.decision == ReviewDecision.ACCEPT else ObligationState.RETURNED
            )
            obligation.reviewed_at = now
            save_with_history(instance=obligation, user=user, reason=ReviewDecision(row.decision).label)
    return reviewed


__all__ = [
    "Generated",
    "ReviewRow",
    "RuleChange",
    "SubmissionRow",
    "duty_rules_effect",
    "duty_rules_save",
    "obligations_generate",
    "obligations_review",
    "rule_preview_execute",
    "rule_preview_request",
    "rule_previews_purge",
    "rule_previews_recover",
    "submission_create",
    "submissions_save",
]
