"""Member development operations: add an applicant, record steps, extend probation, stop,
review overridden steps, list people and violations.

Every function works in the current tenant and leaves the commit to its caller. A step is
checked against :mod:`core.development.rules` with the tenant's numbers; when it breaks a
rule it is refused (422, ``errors.rules`` naming each rule) unless the caller passes an
``override_reason`` and ``can_override`` (the API sets it for org_manager or higher): then it
is stored, marked overridden and flagged for review.

Step 17 (上级党委审批) admits the person into the member register through
:func:`core.members.service.create_member`; step 24 (审批转正) converts that member with
:func:`core.members.service.change_status` as of 预备期满之日.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, select

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.auth.permissions import visible_orgs_clause
from core.db import db, new_id, versioning
from core.db.encrypted import blind_index
from core.development import rules
from core.development import steps as S
from core.development.models import PERSON_STATUSES, DevelopmentPerson, DevelopmentStep
from core.development.settings import rule_settings
from core.members import service as members
from core.members.idcard import IdNumberError, parse_id_number
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.service import subtree_filter

PERSONAL = ("name", "gender", "birth_date", "ethnicity", "id_number", "phone", "address",
            "education", "work_unit")
ADMISSION_REASON = "发展党员"
CONVERSION_REASON = "预备党员转正"


def _invalid(errors: dict, message: str = "The development record is not valid.", status: int = 422):
    raise ApiError(status, message, errors)


def developed_member_ids() -> Select:
    """Ids of members admitted through the development pipeline. Their probation, with its
    one extension, is followed by this slice's ``development.probation_overdue`` rule; the
    register's own probation rule leaves them out so no one is warned about twice."""
    return select(DevelopmentPerson.member_id).where(DevelopmentPerson.member_id.is_not(None))


def get_person(person_id: uuid.UUID) -> DevelopmentPerson | None:
    return db.session.scalar(select(DevelopmentPerson).where(DevelopmentPerson.id == person_id))


def get_step(step_id: uuid.UUID) -> DevelopmentStep | None:
    return db.session.scalar(select(DevelopmentStep).where(DevelopmentStep.id == step_id))


def steps_of(person: DevelopmentPerson) -> Sequence[DevelopmentStep]:
    """The person's recorded steps in order (code, then date, then when recorded)."""
    return db.session.scalars(
        select(DevelopmentStep)
        .where(DevelopmentStep.person_id == person.id)
        .order_by(DevelopmentStep.code, DevelopmentStep.done_on, DevelopmentStep.created_at)
    ).all()


def _history(person: DevelopmentPerson) -> rules.History:
    return rules.History((s.code, s.done_on) for s in steps_of(person))


def _jsonable(details: dict) -> dict:
    out = {}
    for key, value in details.items():
        if isinstance(value, date | uuid.UUID):
            value = str(value)
        elif isinstance(value, list):
            value = [str(v) if isinstance(v, uuid.UUID) else v for v in value]
        out[key] = value
    return out


def _refuse(violations: list[rules.Violation]):
    names = "; ".join(f"{v.code} ({v.name})" for v in violations)
    raise ApiError(422, f"The step breaks development rules: {names}.",
                   {"rules": [v.as_dict() for v in violations]})


def _settle(violations, override_reason: str | None, can_override: bool) -> None:
    """Refuse unless there is nothing to override or an allowed override with a reason."""
    if not violations:
        return
    if not override_reason:
        _refuse(violations)
    if not can_override:
        raise ApiError(403, "Overriding a development rule needs the org_manager role.",
                       {"rules": [v.as_dict() for v in violations]})


def _check_person_data(data: dict) -> dict:
    """Birth date and gender from the ID number (given ones must agree)."""
    try:
        parsed = parse_id_number(data["id_number"])
    except IdNumberError as exc:
        _invalid({"id_number": [exc.reason]})
    for name, value in (("birth_date", parsed.birth_date), ("gender", parsed.gender)):
        if data.get(name) is not None and data[name] != value:
            _invalid({name: [f"Does not agree with the ID number ({value})."]})
        data[name] = value
    data["id_number"] = parsed.normalized
    return data


def create_person(
    data: dict, *, applied_on: date, evidence: str | None = None, attachment: str | None = None,
    override_reason: str | None = None, can_override: bool = False,
) -> DevelopmentPerson:
    """Add an applicant with step 1 (递交入党申请书) on ``applied_on``.

    ``data`` holds ``org_id`` and the personal fields (:data:`PERSONAL`). 409 when the ID
    number belongs to an active person in the pipeline or to a member of the register.
    """
    org = orgs.require_active(orgs.get(data["org_id"]))
    values = _check_person_data({k: data.get(k) for k in PERSONAL})
    index = blind_index(values["id_number"])
    clash = db.session.scalar(select(DevelopmentPerson.id).where(
        DevelopmentPerson.id_number_index == index, DevelopmentPerson.status == "active"))
    if clash is not None:
        _invalid({"id_number": ["This person is already in the development pipeline."]},
                 "This person is already in the development pipeline.", 409)
    if members.find_by_id_number(values["id_number"]) is not None:
        _invalid({"id_number": ["This person is already a Party member."]},
                 "This person is already in the member register.", 409)
    person = DevelopmentPerson(id=new_id(), org_id=org.id, id_number_index=index,
                               stage="applicant", status="active", **values)
    _record(person, rules.History(()), S.APPLICATION, applied_on, evidence=evidence,
            attachment=attachment, details={}, override_reason=override_reason,
            can_override=can_override)
    return person


def record_step(
    person: DevelopmentPerson, code: int, done_on: date, *, evidence: str | None = None,
    attachment: str | None = None, details: dict | None = None,
    override_reason: str | None = None, can_override: bool = False,
    expected_version: int | None = None,
) -> DevelopmentStep:
    """Record step ``code`` for ``person`` on ``done_on`` (see the module docstring).

    Each step counts a ``version`` of the person, so two steps recorded at once — each
    checked against a history without the other — cannot both be written: the later one
    is a 409 naming ``version``, as is ``expected_version`` (the one the caller read) when
    the person has changed since."""
    versioning.check_version(person, expected_version, "person")
    if code not in S.BY_CODE:
        _invalid({"code": [f"Must be a step code from 1 to {S.LAST_CODE}."]})
    if person.status != "active":
        _invalid({"status": ["Development of this person is stopped."]})
    history = _history(person)
    if code == S.APPLICATION or (history.has(code) and not S.step(code).repeatable):
        _invalid({"code": [f"Step {code} is already recorded."]}, "This step is already recorded.", 409)
    return _record(person, history, code, done_on, evidence=evidence, attachment=attachment,
                   details=details or {}, override_reason=override_reason,
                   can_override=can_override)


def _introducer_states(ids) -> dict:
    found = {}
    for member_id in set(ids or []):
        member = members.get_member(member_id)
        if member is not None:
            found[member_id] = (member.status, member.full_on)
    return found


def _record(person, history, code, done_on, *, evidence, attachment, details,
            override_reason, can_override) -> DevelopmentStep:
    if done_on > date.today():
        _invalid({"done_on": ["Cannot be in the future."]})
    settings = rule_settings()
    step_input = rules.StepInput(
        code=code, done_on=done_on, birth_date=person.birth_date, history=history,
        details=details, extension_months=person.extension_months,
        introducers=_introducer_states(details.get("introducer_ids")) if code == S.INTRODUCERS else None,
    )
    violations = rules.check_step(step_input, settings)
    _settle(violations, override_reason, can_override)
    actor = current_actor()
    label = actor.label if actor else "system"
    step = DevelopmentStep(
        person_id=person.id, code=code, done_on=done_on, evidence=evidence,
        attachment=attachment, details=_jsonable(details) or None,
        actor_label=label, actor_user_id=actor.user_id if actor else None,
        override_reason=override_reason,
    )
    if violations:
        step.override = True
        step.overridden_by = label
        step.violated_rules = [v.code for v in violations]
        step.flagged_for_review = True
    db.session.add(person)  # a new applicant is added only once step 1 passed
    db.session.add(step)
    history.dates.setdefault(code, []).append(done_on)
    history.dates[code].sort()
    person.stage = S.stage_after(code, person.stage)
    if code == S.APPROVAL:
        _admit(person, history)
    elif code == S.CONVERSION_APPROVAL:
        _convert(person, history, settings, done_on)
    versioning.touch(person)
    versioning.flush("person")
    return step


def _admit(person: DevelopmentPerson, history: rules.History) -> None:
    joined_on = history.first(S.BRANCH_MEETING)
    if joined_on is None:
        _invalid({"code": ["Admission needs the branch meeting (step 15): it is the joining date."]})
    data = {name: getattr(person, name) for name in PERSONAL}
    data.update(org_id=person.org_id, joined_on=joined_on, status="probationary")
    member = members.create_member(
        data, reason=ADMISSION_REASON, details={"development_person_id": str(person.id)},
    )
    db.session.flush()  # no ORM relationship orders the member's insert before the link
    person.member_id = member.id


def _convert(person, history, settings, approved_on: date) -> None:
    member = members.get_member(person.member_id) if person.member_id else None
    if member is None:
        _invalid({"code": ["Conversion needs the member admitted at step 17."]})
    full_on = rules.probation_end(history, person.extension_months, settings)
    members.change_status(
        member, "full", full_on, CONVERSION_REASON,
        details={"development_person_id": str(person.id), "approved_on": approved_on.isoformat()},
    )


def extend_probation(person: DevelopmentPerson, months: int, on: date, reason: str) -> DevelopmentPerson:
    """延长预备期 by ``months``, decided on ``on``: only for a probationary member, once,
    by 6–12 months (the tenant's numbers). Not a step, so a broken rule is refused outright
    (422 naming it), never overridden. The caller commits."""
    if person.status != "active" or person.stage != "probationary":
        _invalid({"stage": ["Only a probationary member's probation can be extended."]})
    if on > date.today():
        _invalid({"on": ["Cannot be in the future."]})
    violations = rules.check_extension(months, person.extension_months is not None, rule_settings())
    if violations:
        _refuse(violations)
    person.extension_months = months
    person.extension_on = on
    person.extension_reason = reason
    db.session.flush()
    return person


def probation_ends_on(person: DevelopmentPerson) -> date | None:
    """预备期满之日 for a person admitted at step 17 (None before the branch meeting)."""
    return rules.probation_end(_history(person), person.extension_months, rule_settings())


def set_status(person: DevelopmentPerson, status: str, reason: str) -> DevelopmentPerson:
    """Stop (or resume) a person's development, with a reason; the caller commits."""
    if status not in PERSON_STATUSES:
        _invalid({"status": [f"Must be one of: {', '.join(PERSON_STATUSES)}."]})
    if status == person.status:
        _invalid({"status": [f"Already {status}."]})
    if status == "active" and db.session.scalar(select(DevelopmentPerson.id).where(
        DevelopmentPerson.id_number_index == person.id_number_index,
        DevelopmentPerson.status == "active", DevelopmentPerson.id != person.id,
    )) is not None:
        _invalid({"status": ["This person is active in the pipeline under another record."]}, status=409)
    person.status = status
    person.status_reason = reason
    db.session.flush()
    return person


def review_step(step: DevelopmentStep, note: str) -> DevelopmentStep:
    """Clear an overridden step's review flag, noting who reviewed it and why."""
    if not step.flagged_for_review:
        _invalid({"step": ["This step is not flagged for review."]})
    actor = current_actor()
    step.flagged_for_review = False
    step.reviewed_by = actor.label if actor else "system"
    step.reviewed_at = datetime.now(UTC)
    step.review_note = note
    db.session.flush()
    return step


def _with_org(stmt: Select, visible_only: bool) -> Select:
    stmt = stmt.join(Organization, and_(Organization.tenant_id == DevelopmentPerson.tenant_id,
                                        Organization.id == DevelopmentPerson.org_id))
    return stmt.where(visible_orgs_clause()) if visible_only else stmt


def search(*, stage: str | None = None, status: str | None = None, org_id: uuid.UUID | None = None,
           subtree_of: Organization | None = None, visible_only: bool = True) -> Select:
    """``select(DevelopmentPerson)`` joined to its organisation, filtered, newest first."""
    stmt = _with_org(select(DevelopmentPerson), visible_only)
    if stage is not None:
        stmt = stmt.where(DevelopmentPerson.stage == stage)
    if status is not None:
        stmt = stmt.where(DevelopmentPerson.status == status)
    if org_id is not None:
        stmt = stmt.where(DevelopmentPerson.org_id == org_id)
    if subtree_of is not None:
        stmt = stmt.where(subtree_filter(subtree_of.path))
    return stmt.order_by(DevelopmentPerson.created_at.desc(), DevelopmentPerson.id)


def violations(*, include_reviewed: bool = False, subtree_of: Organization | None = None,
               visible_only: bool = True) -> Select:
    """Overridden steps (flagged ones only unless ``include_reviewed``), with their person:
    ``select(DevelopmentStep, DevelopmentPerson)``, newest first."""
    stmt = _with_org(
        select(DevelopmentStep, DevelopmentPerson).join(
            DevelopmentPerson, and_(DevelopmentPerson.tenant_id == DevelopmentStep.tenant_id,
                                    DevelopmentPerson.id == DevelopmentStep.person_id)),
        visible_only,
    )
    if include_reviewed:
        stmt = stmt.where(DevelopmentStep.override.is_(True))
    else:
        stmt = stmt.where(DevelopmentStep.flagged_for_review.is_(True))
    if subtree_of is not None:
        stmt = stmt.where(subtree_filter(subtree_of.path))
    return stmt.order_by(DevelopmentStep.done_on.desc(), DevelopmentStep.id)
