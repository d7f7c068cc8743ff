"""The points ledger: recording, approving and rejecting entries, collecting deeds, caps,
accounts, and the aggregate figures other slices read (callers commit).

Caps. A rule's ``yearly_cap`` bounds what one member gets from it in a calendar year (for
a deduction, what can be taken). It is applied when an entry is *approved*: the points
awarded are clamped to what is left of the cap in the year the deed occurred, and the
entry says so (``requested_points`` vs ``points`` and ``cap_note``). Reading "what is
left" and writing the award must not interleave with another approval for the same
member, so an approval first locks the member's account row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers, and the account upsert that comes first takes its
write lock) and only then re-reads the entry and the year's sum.

Collecting (:func:`collect`) is set-based: every collecting rule runs one aggregate query
for the period, deeds already in the ledger (same rule, member and ``source_ref``) are
skipped, caps are applied to the new ones in memory from one grouped query of what each
member already has, and the new entries go in as one bulk insert, approved by ``system``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import Uuid, any_, bindparam, false, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.dates import add_months
from core.db import db, new_id
from core.db.mixins import utcnow
from core.members.models import ACTIVE_STATUSES, Member
from core.points.models import PointAccount, PointEntry
from core.points.registry import EffectiveRule, as_points, tenant_rules
from core.points.rules import CollectContext
from core.points.settings import points_settings
from core.tenancy import current_tenant_id

ZERO = Decimal("0.00")
SYSTEM = "system"
EVIDENCE_MAX = 2000


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def _fmt(value: Decimal) -> str:
    value = as_points(value)
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _upsert(model):
    """``INSERT`` with ``ON CONFLICT DO NOTHING`` available (PostgreSQL and SQLite)."""
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


# -- exemption -------------------------------------------------------------------------------


def exempt_condition(settings: dict | None = None, as_of: date | None = None):
    """SQL condition on :class:`Member`: exempt from ranking under the tenant's
    ``exempt_categories`` (ages counted on ``as_of``, default today)."""
    settings = settings if settings is not None else points_settings()
    as_of = as_of or date.today()
    categories = set(settings["exempt_categories"])
    clauses = []
    if "retired" in categories:
        clauses.append(Member.is_retired.is_(True))
    for status in ("mobile", "lost_contact", "probationary"):
        if status in categories:
            clauses.append(Member.status == status)
    if "elderly" in categories:
        clauses.append(Member.birth_date <= add_months(as_of, -12 * settings["elderly_age"]))
    return or_(*clauses) if clauses else false()


def exempt_member_ids() -> set[uuid.UUID]:
    """The active members exempt from ranking under the tenant's settings — one query."""
    return set(db.session.scalars(
        select(Member.id).where(Member.status.in_(ACTIVE_STATUSES), exempt_condition())
    ))


# -- totals ----------------------------------------------------------------------------------


def approved_in(start: date, end: date):
    """WHERE clause: approved entries that occurred in ``[start, end]``."""
    return (PointEntry.status == "approved", PointEntry.occurred_on >= start,
            PointEntry.occurred_on <= end)


def totals_subquery(start: date, end: date):
    """``(member_id, total)`` of approved points occurring in ``[start, end]``."""
    return (
        select(PointEntry.member_id.label("member_id"),
               func.sum(PointEntry.points).label("total"))
        .where(*approved_in(start, end))
        .group_by(PointEntry.member_id)
        .subquery("totals")
    )


def member_totals(start: date, end: date) -> dict[uuid.UUID, Decimal]:
    """Approved points per member for entries occurring in ``[start, end]`` (members with
    any entry only) — one aggregate query."""
    rows = db.session.execute(
        select(PointEntry.member_id, func.sum(PointEntry.points))
        .where(*approved_in(start, end))
        .group_by(PointEntry.member_id)
    )
    return {member_id: as_points(total or 0) for member_id, total in rows}


# -- accounts --------------------------------------------------------------------------------


def ensure_account(member_id: uuid.UUID) -> None:
    """Add ``member_id``'s account if missing (safe against a concurrent add)."""
    now = utcnow()
    db.session.execute(
        _upsert(PointAccount)
        .values(tenant_id=current_tenant_id(), id=member_id, member_id=member_id, earned=ZERO,
                redeemed=ZERO, created_at=now, updated_at=now)
        .on_conflict_do_nothing()
    )


def ensure_all_accounts() -> None:
    """Add an account for every member of the tenant that has none: one INSERT … SELECT.

    The SELECT names the tenant itself: tenant scoping stamps inserts but does not filter
    the SELECT of an INSERT … SELECT (row-level security would, on PostgreSQL)."""
    now = utcnow()
    source = select(
        Member.tenant_id, Member.id, Member.id, literal(ZERO), literal(ZERO), literal(now),
        literal(now),
    ).where(
        Member.tenant_id == current_tenant_id(),
        ~select(PointAccount.id).where(
            PointAccount.tenant_id == Member.tenant_id, PointAccount.member_id == Member.id
        ).exists(),
    )
    db.session.execute(
        _upsert(PointAccount)
        .from_select(["tenant_id", "id", "member_id", "earned", "redeemed", "created_at",
                      "updated_at"], source)
        .on_conflict_do_nothing()
    )


def lock_account(member_id: uuid.UUID) -> PointAccount:
    """The member's account, added if missing and locked for this transaction."""
    ensure_account(member_id)
    return db.session.scalars(
        select(PointAccount).where(PointAccount.member_id == member_id)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def _lock_accounts(member_ids: set[uuid.UUID]) -> None:
    """Lock the accounts of ``member_ids`` in one statement (PostgreSQL; SQLite's writer
    lock is already held by then)."""
    if _dialect() != "postgresql" or not member_ids:
        return
    ids = bindparam("ids", sorted(member_ids), type_=ARRAY(Uuid))
    db.session.execute(
        select(PointAccount.id).where(PointAccount.member_id == any_(ids))
        .order_by(PointAccount.id).with_for_update()
    ).all()


def account(member_id: uuid.UUID) -> dict:
    """``{"earned", "redeemed", "balance"}`` of a member (zeros without an account)."""
    row = db.session.execute(
        select(PointAccount.earned, PointAccount.redeemed)
        .where(PointAccount.member_id == member_id)
    ).first()
    earned, redeemed = (as_points(row[0]), as_points(row[1])) if row else (ZERO, ZERO)
    return {"earned": earned, "redeemed": redeemed, "balance": earned - redeemed}


def card_level(earned: Decimal, settings: dict | None = None) -> str | None:
    """``"gold"``, ``"silver"`` or ``None`` for points earned (all time)."""
    settings = settings if settings is not None else points_settings()
    if earned >= settings["gold_threshold"]:
        return "gold"
    if earned >= settings["silver_threshold"]:
        return "silver"
    return None


# -- caps ------------------------------------------------------------------------------------


def clamp(rule_name: str, requested: Decimal, cap: Decimal | None,
          used: Decimal) -> tuple[Decimal, str | None]:
    """``(points awarded, why less than requested or None)`` for an entry of a rule whose
    cap is ``cap`` when the member already has ``used`` from it this year (signed)."""
    if cap is None:
        return requested, None
    already = abs(used)
    left = max(cap - already, ZERO)
    awarded = min(abs(requested), left)
    if awarded == abs(requested):
        return requested, None
    verb = "扣" if requested < 0 else "得"
    note = (f"「{rule_name}」每年最多{verb} {_fmt(cap)} 分，本年度已{verb} {_fmt(already)} 分，"
            f"申请 {_fmt(abs(requested))} 分，实{verb} {_fmt(awarded)} 分")
    return (-awarded if requested < 0 else awarded), note


def used_in_year(rule_key: str, member_id: uuid.UUID, year: int) -> Decimal:
    start, end = year_bounds(year)
    total = db.session.scalar(
        select(func.sum(PointEntry.points)).where(
            PointEntry.rule_key == rule_key, PointEntry.member_id == member_id,
            *approved_in(start, end),
        )
    )
    return as_points(total or 0)


# -- recording by hand -----------------------------------------------------------------------


def record(member: Member, rule: EffectiveRule | None, occurred_on: date,
           evidence: str | None = None, rule_key: str | None = None) -> PointEntry:
    """A pending entry of ``rule`` for ``member`` (caller checks who may record).

    Refused naming the field: an unknown or switched-off rule (``rule_key``), a member no
    longer in the register (``member_id``), a day in the future (``occurred_on``), missing
    evidence for a rule that needs it (``evidence``)."""
    if rule is None:
        _refuse("rule_key", f"Unknown point rule {rule_key!r}.")
    if not rule.active:
        _refuse("rule_key", f"The rule {rule.key} is switched off.")
    if member.status not in ACTIVE_STATUSES:
        _refuse("member_id", f"The member's status is {member.status}.")
    if occurred_on > date.today():
        _refuse("occurred_on", "Must not be in the future.")
    if occurred_on < member.joined_on:
        _refuse("occurred_on", "Must not be before the member joined the Party.")
    evidence = (evidence or "").strip() or None
    if rule.evidence_required and evidence is None:
        _refuse("evidence", "This rule needs evidence: say what backs the entry.")
    actor = current_actor()
    entry = PointEntry(
        member_id=member.id, org_id=member.org_id, rule_key=rule.key, rule_name=rule.name,
        category=rule.category, requested_points=rule.points, occurred_on=occurred_on,
        evidence=evidence, status="pending",
        recorded_by=actor.label if actor else SYSTEM,
        recorded_by_user_id=actor.user_id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def may_approve_own(entry: PointEntry, user_id: uuid.UUID | None) -> bool:
    """Whether ``user_id`` may approve ``entry`` as far as the four-eyes rule goes."""
    if user_id is None or entry.recorded_by_user_id != user_id:
        return True
    return bool(points_settings()["self_approve"])


def approve(entry: PointEntry, rules: dict[str, EffectiveRule] | None = None) -> PointEntry:
    """Approve a pending entry as the current actor, clamping its points to what is left
    of the rule's yearly cap (caller checks the approver's role).

    409 when it is no longer pending; 403 when its recorder approves it and the tenant does
    not allow that (``self_approve``)."""
    actor = current_actor()
    user_id = actor.user_id if actor else None
    if not may_approve_own(entry, user_id):
        raise ApiError(403, "An entry must be approved by someone other than its recorder "
                            "(the tenant setting self_approve is off).")
    lock_account(entry.member_id)
    db.session.refresh(entry)  # after the lock: another approver may have been first
    if entry.status != "pending":
        raise ApiError(409, f"The entry is already {entry.status}.", {"status": [entry.status]})
    rule = (rules if rules is not None else tenant_rules()).get(entry.rule_key)
    cap = rule.yearly_cap if rule is not None else None
    used = used_in_year(entry.rule_key, entry.member_id, entry.occurred_on.year)
    awarded, note = clamp(entry.rule_name, as_points(entry.requested_points), cap, used)
    entry.points = awarded
    entry.cap_note = note
    entry.status = "approved"
    entry.approved_by = actor.label if actor else SYSTEM
    entry.approved_by_user_id = user_id
    entry.approved_at = utcnow()
    db.session.flush()
    if awarded:
        db.session.execute(
            update(PointAccount).where(PointAccount.member_id == entry.member_id)
            .values(earned=PointAccount.earned + awarded)
            .execution_options(synchronize_session=False)
        )
    return entry


def reject(entry: PointEntry, reason: str | None) -> PointEntry:
    """Reject a pending entry with a reason (caller checks the role). Under the same lock
    as :func:`approve` and read again after it: an approval committed since the entry was
    read is not overwritten (409), nor its points left counted for a rejected entry."""
    reason = (reason or "").strip()
    if not reason:
        _refuse("reason", "Say why the entry is rejected.")
    lock_account(entry.member_id)
    db.session.refresh(entry)
    if entry.status != "pending":
        raise ApiError(409, f"The entry is already {entry.status}.", {"status": [entry.status]})
    actor = current_actor()
    entry.status = "rejected"
    entry.rejection_reason = reason
    entry.approved_by = actor.label if actor else SYSTEM
    entry.approved_by_user_id = actor.user_id if actor else None
    entry.approved_at = utcnow()
    db.session.flush()
    return entry


# -- collecting ------------------------------------------------------------------------------


def collect(start: date, end: date, rule_keys: list[str] | None = None,
            progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Run every active collecting rule (or those in ``rule_keys``) for ``[start, end]``
    and add the deeds not yet in the ledger, approved by ``system`` with caps applied.

    A fixed number of statements whatever the number of members: one per rule, then the
    ledger's known refs, the member → organisation map, the accounts (added, locked), what
    each member already has per rule and year, one bulk insert and one account update.
    Returns ``{"rules": {key: {"found", "added", "capped"}}, "added": n}``.
    """
    if end < start:
        _refuse("end", "Must not be before start.")
    rules = [r for r in tenant_rules().values()
             if r.collect is not None and r.active and (rule_keys is None or r.key in rule_keys)]
    if rule_keys is not None:
        unknown = sorted(set(rule_keys) - {r.key for r in rules})
        if unknown:
            _refuse("rules", f"Not active collecting rules here: {', '.join(unknown)}.")
    context = CollectContext(tenant_id=current_tenant_id(), start=start, end=end)
    report: dict = {"rules": {}, "added": 0}
    found: list[tuple[EffectiveRule, object]] = []
    for done, rule in enumerate(rules, 1):
        deeds = list(rule.collect(context))
        report["rules"][rule.key] = {"found": len(deeds), "added": 0, "capped": 0}
        found += [(rule, deed) for deed in deeds]
        if progress is not None:
            progress(done, len(rules) + 1, rule.key)
    if not found:
        return report
    keys = [r.key for r in rules]
    known = set(db.session.execute(
        select(PointEntry.rule_key, PointEntry.member_id, PointEntry.source_ref).where(
            PointEntry.rule_key.in_(keys), PointEntry.source_ref.is_not(None),
            PointEntry.occurred_on >= start, PointEntry.occurred_on <= end,
        )
    ).all())
    new = []
    for rule, deed in found:
        ref = (rule.key, deed.member_id, deed.source_ref)
        if ref not in known:
            known.add(ref)  # a collector naming one record twice adds it once
            new.append((rule, deed))
    if not new:
        return report
    org_of = dict(db.session.execute(select(Member.id, Member.org_id)).all())
    new = [(rule, deed) for rule, deed in new if deed.member_id in org_of]
    ensure_all_accounts()
    _lock_accounts({deed.member_id for _, deed in new})
    used = _used_by_rule_member_year(keys, min(d.occurred_on for _, d in new).year,
                                     max(d.occurred_on for _, d in new).year)
    batch = new_id()
    now = utcnow()
    actor = current_actor()
    rows = []
    for rule, deed in sorted(new, key=lambda pair: (pair[1].occurred_on, pair[1].source_ref)):
        slot = (rule.key, deed.member_id, deed.occurred_on.year)
        awarded, note = clamp(rule.name, rule.points, rule.yearly_cap, used[slot])
        used[slot] += awarded
        stats = report["rules"][rule.key]
        stats["added"] += 1
        stats["capped"] += note is not None
        rows.append({
            "id": new_id(), "member_id": deed.member_id, "org_id": org_of[deed.member_id],
            "rule_key": rule.key, "rule_name": rule.name, "category": rule.category,
            "requested_points": rule.points, "points": awarded, "cap_note": note,
            "occurred_on": deed.occurred_on, "details": dict(deed.evidence) or None,
            "source_ref": deed.source_ref, "batch_id": batch, "status": "approved",
            "recorded_by": actor.label if actor else SYSTEM,
            "recorded_by_user_id": actor.user_id if actor else None,
            "approved_by": SYSTEM, "approved_at": now,
        })
    db.session.execute(_upsert(PointEntry).on_conflict_do_nothing(), rows)
    added = (
        select(func.coalesce(func.sum(PointEntry.points), 0))
        .where(PointEntry.batch_id == batch, PointEntry.member_id == PointAccount.member_id)
        .correlate(PointAccount)
        .scalar_subquery()
    )
    db.session.execute(
        update(PointAccount)
        .where(PointAccount.member_id.in_(
            select(PointEntry.member_id).where(PointEntry.batch_id == batch)))
        .values(earned=PointAccount.earned + added)
        .execution_options(synchronize_session=False)
    )
    report["added"] = len(rows)
    report["batch_id"] = str(batch)
    if progress is not None:
        progress(len(rules) + 1, len(rules) + 1, "ledger")
    return report


def _used_by_rule_member_year(keys: list[str], first_year: int,
                              last_year: int) -> defaultdict[tuple, Decimal]:
    """``{(rule_key, member_id, year): approved points}`` for ``keys`` — one query."""
    year = func.extract("year", PointEntry.occurred_on)
    rows = db.session.execute(
        select(PointEntry.rule_key, PointEntry.member_id, year, func.sum(PointEntry.points))
        .where(PointEntry.rule_key.in_(keys),
               *approved_in(date(first_year, 1, 1), date(last_year, 12, 31)))
        .group_by(PointEntry.rule_key, PointEntry.member_id, year)
    )
    used: defaultdict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for key, member_id, y, total in rows:
        used[(key, member_id, int(y))] = as_points(total or 0)
    return used
