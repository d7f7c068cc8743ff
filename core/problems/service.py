"""The problem ledger's operations: record, correct, move through rectification, collect
evidence, close out (销号).

Every function works in the current tenant and leaves the commit to its caller; each checks
everything before it changes anything, so a refusal writes nothing. Errors are
:class:`~core.api.errors.ApiError` naming the field: 422 for invalid input, 409 for a step
the problem's status does not allow or a record changed by someone else since it was read
(``version``), 403 for a close-out by someone who may not approve it.

**Who closes.** A problem is closed by the level above the organisation it belongs to: a
user holding ``org_manager`` (or higher) on the organisation's *parent* — ``tenant_admin``
for a root organisation — who did not submit it. The organisation's own people never close
their own problems, whatever role they hold on it (:func:`require_level_above`). The same
level rejects a submission and reopens a closed problem.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.auth.permissions import current_user, has_role
from core.db import db
from core.db.mixins import utcnow
from core.members import service as members
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.problems.models import (
    CLOSED,
    DELISTED,
    EVENT_KINDS,
    OPEN,
    RECTIFYING,
    SEVERITIES,
    SOURCES,
    STATUS_LABELS,
    SUBMITTED,
    Problem,
    ProblemEvent,
    ProblemEvidence,
    WeakDesignation,
)
from core.problems.settings import settings
from core.warnings.models import Warning

# The fields a correction (PATCH) may change; status moves only through the transitions.
EDITABLE = (
    "category", "title", "description", "severity", "responsible_member_id",
    "responsible_name", "deadline", "designation_id", "source_ref",
)
# Warning rule prefixes → the default category of a problem raised from such a warning.
CATEGORY_BY_RULE = {
    "orgs": "组织建设", "elections": "组织建设", "life": "组织生活", "members": "党员教育管理",
    "transfers": "党员教育管理", "development": "发展党员", "dues": "党费收缴",
}


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(message: str, field: str = "status"):
    raise ApiError(409, message, {field: [message]})


def _stale(what: str = "问题"):
    raise ApiError(409, f"该{what}已被他人修改，请刷新后重试。", {"version": ["版本已过期。"]})


def check_version(row, expected: int | None, what: str = "问题") -> None:
    """409 when the caller read ``row`` at another ``version`` than it has now."""
    if expected is not None and row.version != expected:
        _stale(what)


def flush(what: str = "问题") -> None:
    """Flush; a row changed by another transaction since it was read is a 409."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        _stale(what)


def _actor() -> tuple[str, uuid.UUID | None]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor is not None else ("system", None)


def record_event(problem: Problem, kind: str, *, from_status: str | None = None,
                 to_status: str | None = None, comment: str | None = None,
                 details: dict | None = None) -> ProblemEvent:
    """Add one event for ``problem`` with the current actor; the caller commits."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown problem event kind {kind!r}")
    label, user_id = _actor()
    event = ProblemEvent(problem_id=problem.id, kind=kind, from_status=from_status,
                         to_status=to_status, comment=comment, details=details,
                         actor_label=label, actor_user_id=user_id)
    db.session.add(event)
    return event


# -- reading -------------------------------------------------------------------------------


def get_problem(problem_id: uuid.UUID) -> Problem | None:
    """The current tenant's problem with this id (no visibility check)."""
    return db.session.scalar(select(Problem).where(Problem.id == problem_id))


def events_of(problem: Problem) -> Sequence[ProblemEvent]:
    return db.session.scalars(
        select(ProblemEvent).where(ProblemEvent.problem_id == problem.id)
        .order_by(ProblemEvent.created_at, ProblemEvent.id)
    ).all()


def evidence_of(problem: Problem) -> Sequence[ProblemEvidence]:
    return db.session.scalars(
        select(ProblemEvidence).where(ProblemEvidence.problem_id == problem.id)
        .order_by(ProblemEvidence.created_at, ProblemEvidence.id)
    ).all()


def overdue_clause(today: date):
    """Problems past their deadline and not closed on ``today``."""
    return and_(Problem.deadline < today, Problem.status != CLOSED)


def is_overdue(problem: Problem, today: date | None = None) -> bool:
    return problem.status != CLOSED and problem.deadline < (today or date.today())


def days_overdue(problem: Problem, today: date | None = None) -> int:
    return (today or date.today()).toordinal() - problem.deadline.toordinal() if is_overdue(problem, today) else 0


def year_clause(year: int):
    """Problems found in ``year`` (a range on ``found_on``, index-friendly on both backends)."""
    return and_(Problem.found_on >= date(year, 1, 1), Problem.found_on <= date(year, 12, 31))


# -- who may --------------------------------------------------------------------------------


def may_record(org: Organization, source: str) -> bool:
    """Recording a problem: ``org_manager`` on the organisation (or above); a branch
    secretary records what the branch found itself (``source`` ``self``)."""
    return has_role("org_manager", org) or (source == "self" and has_role("branch_secretary", org))


def may_rectify(org: Organization) -> bool:
    """Starting rectification, adding evidence, submitting: the organisation's secretary."""
    return has_role("branch_secretary", org)


def parent_of(org: Organization) -> Organization | None:
    return orgs.get(org.parent_id) if org.parent_id is not None else None


def is_level_above(org: Organization) -> bool:
    """Does the current user act for the level above ``org``: ``org_manager`` on its parent,
    or ``tenant_admin`` for a root organisation?"""
    parent = parent_of(org)
    return has_role("org_manager", parent) if parent is not None else has_role("tenant_admin")


def require_level_above(org: Organization, doing: str) -> None:
    """403 unless the current user acts for the level above ``org`` (see the module)."""
    if not is_level_above(org):
        who = "上级党组织（对上级党组织具有 org_manager 权限的用户）" if org.parent_id else "租户管理员"
        raise ApiError(403, f"{doing}需由{who}审核，本组织不能自行{doing}。")


# -- recording -------------------------------------------------------------------------------


def _warning(raw) -> Warning:
    try:
        warning_id = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        _invalid("source_ref", "预警编号无效。")
    warning = db.session.scalar(select(Warning).where(Warning.id == warning_id))
    if warning is None:
        _invalid("source_ref", "找不到该预警。")
    return warning


def target_org(data: dict) -> Organization | None:
    """The organisation a new problem belongs to: ``org_id``, or — for a problem from a
    warning — the warning's organisation (``source_ref`` must be one of this tenant's
    warnings, else 422 naming it); ``None`` for an unknown ``org_id``. Checks nothing about
    the user."""
    if data.get("source") == "warning":
        if not data.get("source_ref"):
            _invalid("source_ref", "来源为预警时须填写预警编号。")
        warning = _warning(data["source_ref"])
        if data.get("org_id") is not None and data["org_id"] != warning.org_id:
            _invalid("org_id", "须与预警所属党组织一致（可不填）。")
        org_id = warning.org_id
    else:
        org_id = data.get("org_id")
        if org_id is None:
            _invalid("org_id", "Missing data for required field.")
    return orgs.get(org_id)


def _check_category(category: str | None) -> None:
    allowed = settings()["categories"]
    if category not in allowed:
        _invalid("category", f"须为以下之一：{'、'.join(allowed)}。")


def _check_responsible(org: Organization, values: dict) -> None:
    """A responsible member must belong to the organisation (or one under it); their name
    is kept beside the id, so the ledger reads without the register."""
    member_id = values.get("responsible_member_id")
    if member_id is None:
        return
    member = members.get_member(member_id)
    home = orgs.get(member.org_id) if member is not None else None
    if member is None or home is None or not orgs.covers(org.path, home.path):
        _invalid("responsible_member_id", "须为本组织的党员。")
    values["responsible_name"] = member.name


def _check_designation(org: Organization, designation_id) -> None:
    if designation_id is None:
        return
    designation = db.session.scalar(select(WeakDesignation).where(WeakDesignation.id == designation_id))
    if designation is None or designation.org_id != org.id:
        _invalid("designation_id", "须为本组织的软弱涣散认定。")
    if designation.status == DELISTED:
        _invalid("designation_id", "该软弱涣散认定已摘帽。")


def _check_dates(found_on: date, deadline: date) -> None:
    if found_on > date.today():
        _invalid("found_on", "不能晚于今天。")
    if deadline < found_on:
        _invalid("deadline", "整改时限不能早于发现日期。")


def create_problem(org: Organization, data: dict) -> Problem:
    """Record a problem of ``org`` (see :func:`target_org`) from loaded input: ``source``,
    ``source_ref``, ``category``, ``title``, ``description``, ``severity``, ``found_on``
    (default today), ``deadline``, ``responsible_member_id`` or ``responsible_name``,
    ``designation_id``. The caller checked the user may (:func:`may_record`); commits."""
    orgs.require_active(org)
    source = data["source"]
    if source not in SOURCES:
        _invalid("source", f"须为以下之一：{', '.join(SOURCES)}。")
    severity = data.get("severity") or "general"
    if severity not in SEVERITIES:
        _invalid("severity", f"须为以下之一：{', '.join(SEVERITIES)}。")
    _check_category(data.get("category"))
    found_on = data.get("found_on") or date.today()
    _check_dates(found_on, data["deadline"])
    values = {k: data.get(k) for k in ("responsible_member_id", "responsible_name")}
    _check_responsible(org, values)
    _check_designation(org, data.get("designation_id"))
    warning_id = None
    source_ref = data.get("source_ref")
    if source == "warning":
        warning = _warning(source_ref)
        warning_id, source_ref = warning.id, str(warning.id)
    label, user_id = _actor()
    problem = Problem(
        org_id=org.id, source=source, source_ref=source_ref, warning_id=warning_id,
        designation_id=data.get("designation_id"), category=data["category"],
        title=data["title"], description=data.get("description"), severity=severity,
        found_on=found_on, deadline=data["deadline"], status=OPEN, created_by=label,
        created_by_user_id=user_id, **values,
    )
    db.session.add(problem)
    db.session.flush()
    record_event(problem, "created", to_status=OPEN)
    return problem


def open_problem_for_warning(warning_id: uuid.UUID) -> Problem | None:
    """The problem not yet closed that was raised from this warning, if any."""
    return db.session.scalar(
        select(Problem).where(Problem.warning_id == warning_id, Problem.status != CLOSED).limit(1)
    )


def from_warning(warning: Warning, data: dict, rule_name: str | None = None) -> Problem:
    """A problem raised from ``warning`` (转办): its organisation, the rule's name as the
    title and the warning's message as the description unless given, a category guessed
    from the rule's owner and a deadline ``default_deadline_days`` away unless given. 409
    while an earlier problem from the same warning is not closed."""
    existing = open_problem_for_warning(warning.id)
    if existing is not None:
        raise ApiError(409, f"该预警已转为问题（{existing.title}），请勿重复登记。",
                       {"warning_id": [f"已有未销号的问题 {existing.id}。"]})
    org = orgs.get(warning.org_id)
    values = dict(data)
    values.update(source="warning", source_ref=str(warning.id))
    if not values.get("title"):
        values["title"] = (rule_name or warning.rule_key)[:200]
    if not values.get("description"):
        values["description"] = warning.message
    if not values.get("category"):
        allowed = settings()["categories"]
        guess = CATEGORY_BY_RULE.get(warning.rule_key.split(".", 1)[0])
        values["category"] = guess if guess in allowed else ("其他" if "其他" in allowed else allowed[0])
    if not values.get("deadline"):
        values["deadline"] = date.today() + timedelta(days=settings()["default_deadline_days"])
    return create_problem(org, values)


def update_problem(problem: Problem, org: Organization, changes: dict,
                   expected_version: int | None) -> Problem:
    """Correct a problem that is not closed (reopen it first). A new ``deadline`` needs a
    ``deadline_reason`` and is an event of its own; other changes are one ``updated``
    event naming the fields."""
    check_version(problem, expected_version)
    if problem.status == CLOSED:
        _conflict("已销号的问题不能修改，请先重新打开。")
    reason = changes.pop("deadline_reason", None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable problem fields: {sorted(unknown)}")
    values = {k: v for k, v in changes.items() if getattr(problem, k) != v}
    if "category" in values:
        _check_category(values["category"])
    if "severity" in values and values["severity"] not in SEVERITIES:
        _invalid("severity", f"须为以下之一：{', '.join(SEVERITIES)}。")
    if "title" in values and not (values["title"] or "").strip():
        _invalid("title", "不能为空。")
    if "deadline" in values:
        if values["deadline"] is None:
            _invalid("deadline", "不能为空。")
        if not (reason or "").strip():
            _invalid("deadline_reason", "调整整改时限须说明理由。")
        _check_dates(problem.found_on, values["deadline"])
    if "source_ref" in values and problem.source == "warning":
        _invalid("source_ref", "预警转办的问题不能改变来源预警。")
    if values.get("responsible_member_id") is not None:
        _check_responsible(org, values)
    elif "responsible_member_id" in values and "responsible_name" not in values:
        values["responsible_name"] = None
    if "designation_id" in values:
        _check_designation(org, values["designation_id"])
    if not values:
        return problem
    deadline = values.pop("deadline", None)
    if deadline is not None:
        record_event(problem, "deadline_changed", comment=reason,
                     details={"from": problem.deadline.isoformat(), "to": deadline.isoformat()})
        problem.deadline = deadline
    if values:
        record_event(problem, "updated", details={"fields": sorted(values)})
        for key, value in values.items():
            setattr(problem, key, value)
    flush()
    return problem


# -- rectification and close-out --------------------------------------------------------------


def _require_status(problem: Problem, allowed: str, doing: str) -> None:
    if problem.status != allowed:
        _conflict(f"问题当前为“{STATUS_LABELS[problem.status]}”，只有“{STATUS_LABELS[allowed]}”的问题可以{doing}。")


def _move(problem: Problem, to_status: str, kind: str, comment: str | None = None,
          details: dict | None = None) -> Problem:
    record_event(problem, kind, from_status=problem.status, to_status=to_status,
                 comment=comment, details=details)
    problem.status = to_status
    flush()
    return problem


def start(problem: Problem, comment: str | None = None, expected_version: int | None = None) -> Problem:
    """开始整改: open → rectifying."""
    check_version(problem, expected_version)
    _require_status(problem, OPEN, "开始整改")
    return _move(problem, RECTIFYING, "started", comment)


def evidence_count(problem: Problem) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ProblemEvidence).where(ProblemEvidence.problem_id == problem.id)
    ) or 0


def submit(problem: Problem, rectification: str | None = None, comment: str | None = None,
           expected_version: int | None = None) -> Problem:
    """提交销号: rectifying → submitted. Needs the rectification measures (整改措施, sent now
    or written before) and — unless the tenant turned ``evidence_required`` off — at least
    one piece of evidence."""
    check_version(problem, expected_version)
    _require_status(problem, RECTIFYING, "提交销号")
    measures = (rectification if rectification is not None else problem.rectification) or ""
    if not measures.strip():
        _invalid("rectification", "提交销号须填写整改措施。")
    if settings()["evidence_required"] and evidence_count(problem) == 0:
        _invalid("evidence", "提交销号须至少上传一份佐证材料（文字或附件）。")
    label, user_id = _actor()
    problem.rectification = measures
    problem.submitted_at = utcnow()
    problem.submitted_by = label
    problem.submitted_by_user_id = user_id
    return _move(problem, SUBMITTED, "submitted", comment)


def _user_id():
    user = current_user()
    return user.id if user is not None else None


def approve(problem: Problem, org: Organization, comment: str | None = None,
            expected_version: int | None = None) -> Problem:
    """销号: submitted → closed, by the level above (:func:`require_level_above`) and never by
    the user who submitted it."""
    require_level_above(org, "销号")  # first: who may not act learns nothing of the state
    check_version(problem, expected_version)
    _require_status(problem, SUBMITTED, "审核销号")
    user_id = _user_id()
    if user_id is None or user_id == problem.submitted_by_user_id:
        raise ApiError(403, "提交销号申请的人不能审核自己的申请，须由上级另一人审核。")
    label, _ = _actor()
    now = utcnow()
    problem.closed_at = now
    problem.closed_on = date.today()
    problem.closed_by = label
    problem.closed_by_user_id = user_id
    return _move(problem, CLOSED, "approved", comment,
                 details={"on_time": problem.closed_on <= problem.deadline})


def _reason(reason: str | None) -> str:
    if not (reason or "").strip():
        _invalid("reason", "须说明理由。")
    return reason.strip()


def reject(problem: Problem, org: Organization, reason: str | None,
           expected_version: int | None = None) -> Problem:
    """退回整改: submitted → rectifying, by the level above, with a reason."""
    require_level_above(org, "退回")
    check_version(problem, expected_version)
    _require_status(problem, SUBMITTED, "退回")
    reason = _reason(reason)
    problem.submitted_at = problem.submitted_by = problem.submitted_by_user_id = None
    return _move(problem, RECTIFYING, "rejected", reason)


def reopen(problem: Problem, org: Organization, reason: str | None, deadline: date | None = None,
           expected_version: int | None = None) -> Problem:
    """重新打开: closed → rectifying, by the level above, with a reason and optionally a new
    deadline (its own ``deadline_changed`` event)."""
    require_level_above(org, "重新打开")
    check_version(problem, expected_version)
    _require_status(problem, CLOSED, "重新打开")
    reason = _reason(reason)
    if deadline is not None:
        _check_dates(problem.found_on, deadline)
    details = {"closed_at": problem.closed_at.isoformat() if problem.closed_at else None,
               "closed_by": problem.closed_by}
    problem.closed_at = problem.closed_on = problem.closed_by = problem.closed_by_user_id = None
    problem.submitted_at = problem.submitted_by = problem.submitted_by_user_id = None
    moved = _move(problem, RECTIFYING, "reopened", reason, details)
    if deadline is not None and deadline != problem.deadline:
        record_event(problem, "deadline_changed", comment=reason,
                     details={"from": problem.deadline.isoformat(), "to": deadline.isoformat()})
        problem.deadline = deadline
        flush()
    return moved


# -- evidence ------------------------------------------------------------------------------------


def _require_collecting(problem: Problem) -> None:
    if problem.status not in (OPEN, RECTIFYING):
        _conflict(f"问题当前为“{STATUS_LABELS[problem.status]}”，佐证材料只能在整改完成提交前增删。")


def check_collecting(problem: Problem) -> None:
    """409 unless evidence may change now (before submission); for callers that store a
    file first and must not keep it on refusal."""
    _require_collecting(problem)


def add_evidence(problem: Problem, text: str | None = None, stored=None) -> ProblemEvidence:
    """Add evidence: a ``text``, a file already kept by :func:`core.files.store`
    (``stored``), or both; only before submission. The caller commits (and discards the
    stored file if the commit fails)."""
    _require_collecting(problem)
    text = (text or "").strip() or None
    if text is None and stored is None:
        _invalid("text", "请填写文字材料或上传附件。")
    label, user_id = _actor()
    evidence = ProblemEvidence(problem_id=problem.id, text=text, uploaded_by=label,
                               uploaded_by_user_id=user_id)
    if stored is not None:
        evidence.stored_name = stored.name
        evidence.original_name = stored.original_name
        evidence.file_type = stored.file_type
        evidence.content_type = stored.content_type
        evidence.size = stored.size
    db.session.add(evidence)
    db.session.flush()
    record_event(problem, "evidence_added",
                 details={"evidence_id": str(evidence.id), "file": evidence.original_name})
    return evidence


def remove_evidence(problem: Problem, evidence: ProblemEvidence) -> str | None:
    """Remove a piece of evidence (before submission); returns its stored file name, for the
    caller to discard after committing."""
    _require_collecting(problem)
    record_event(problem, "evidence_removed",
                 details={"evidence_id": str(evidence.id), "file": evidence.original_name})
    db.session.delete(evidence)
    db.session.flush()
    return evidence.stored_name


# -- lists ---------------------------------------------------------------------------------------


def search(visible, *, root: Organization | None = None, status: str | None = None,
           source: str | None = None, overdue: bool | None = None, year: int | None = None,
           designation_id: uuid.UUID | None = None, today: date | None = None):
    """A SELECT of ``(Problem, Organization.name)`` for the organisations ``visible`` (a
    WHERE clause on Organization) with the filters, newest first."""
    today = today or date.today()
    stmt = (select(Problem, Organization.name).join(Organization, Organization.id == Problem.org_id)
            .where(visible))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    if status is not None:
        stmt = stmt.where(Problem.status == status)
    if source is not None:
        stmt = stmt.where(Problem.source == source)
    if overdue is True:
        stmt = stmt.where(overdue_clause(today))
    elif overdue is False:
        stmt = stmt.where(or_(Problem.deadline >= today, Problem.status == CLOSED))
    if year is not None:
        stmt = stmt.where(year_clause(year))
    if designation_id is not None:
        stmt = stmt.where(Problem.designation_id == designation_id)
    return stmt.order_by(Problem.found_on.desc(), Problem.created_at.desc(), Problem.id.desc())
