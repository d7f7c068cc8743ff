"""Member development (发展党员): the people an organisation is developing with their stage
and last step, and recording a person's next step with its date and the data the step's
rules read (培养联系人, 入党介绍人, training length, 公示 dates).

Saving is ``core.development.service.record_step`` — the API's ``POST
/development/<id>/steps`` — so every rule of 发展党员工作细则 is checked there; a broken rule
(a step too early, too late, out of order…) is shown beside the field it concerns. Only an
``org_manager`` may record a step despite a rule, with a reason (flagged for review).
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.api.errors import ApiError
from core.auth.permissions import has_role, visible_record
from core.db import db
from core.development import service as development
from core.development import steps as S
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.web import versions
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.work.common import (
    WRITE_ROLE,
    put_errors,
    refresh_warnings,
    require_worker,
    translated,
    work_org,
)

OVERRIDE_ROLE = "org_manager"
INTRODUCERS_MAX = 500
# Which field a broken rule concerns (the others concern the step's date).
RULE_FIELDS = {"contacts_count": "contacts", "introducers": "introducer_ids",
               "training_length": "training_days", "public_notice": "public_notice_from"}
REQUIRED = _l("This field is required.")


class StepForm(FlaskForm):
    version = versions.version_field()  # the person's, when the page was opened
    code = SelectField(_l("Step"), coerce=int, validators=[InputRequired(message=REQUIRED)])
    done_on = DateField(_l("Done on"), validators=[InputRequired(message=REQUIRED)])
    evidence = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    contacts = TextAreaField(_l("Contacts for the activist (step 5), one name a line"),
                             validators=[Optional(), Length(max=600)])
    introducer_ids = SelectMultipleField(_l("Introducers (step 9)"), validators=[Optional()])
    training_days = IntegerField(_l("Training days (step 11)"),
                                 validators=[Optional(), NumberRange(min=0, max=365)])
    training_hours = IntegerField(_l("Training hours (step 11)"),
                                  validators=[Optional(), NumberRange(min=0, max=2000)])
    public_notice_from = DateField(_l("Public notice from (step 12)"), validators=[Optional()])
    public_notice_to = DateField(_l("Public notice until (step 12)"), validators=[Optional()])
    override_reason = TextAreaField(_l("Record despite a broken rule, because"),
                                    validators=[Optional(), Length(max=1000)])


def last_steps(person_ids) -> dict:
    """The highest step recorded per person: one GROUP BY."""
    if not person_ids:
        return {}
    return dict(db.session.execute(
        select(DevelopmentStep.person_id, func.max(DevelopmentStep.code))
        .where(DevelopmentStep.person_id.in_(person_ids)).group_by(DevelopmentStep.person_id)).all())


def next_code(last: int | None) -> int:
    return min((last or 0) + 1, S.LAST_CODE)


@bp.route("/work/<org_id>/development")
@page
def work_development(org_id):
    """The organisation's people in development (its subtree), newest first, paged."""
    org = work_org(org_id)
    listed = paginate(development.search(status="active", subtree_of=org))
    last = last_steps([p.id for p in listed.items])
    return render_template("web/work/development.html", org=org, listed=listed, last=last,
                           steps=S.BY_CODE, stages=S.STAGE_NAMES, next_code=next_code)


def _introducer_choices(org: Organization) -> list[tuple[str, str]]:
    """Full members of the person's branch (the usual introducers), by name."""
    rows = db.session.execute(
        select(Member.id, Member.name).join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(org.path), Member.status == "full")
        .order_by(Member.name, Member.id).limit(INTRODUCERS_MAX)).all()
    return [(str(mid), name) for mid, name in rows]


def _details(form: StepForm) -> dict:
    contacts = [line.strip() for line in (form.contacts.data or "").splitlines() if line.strip()]
    values = {"contacts": contacts or None,
              "introducer_ids": [uuid.UUID(v) for v in form.introducer_ids.data or []] or None,
              "training_days": form.training_days.data, "training_hours": form.training_hours.data,
              "public_notice_from": form.public_notice_from.data,
              "public_notice_to": form.public_notice_to.data}
    return {k: v for k, v in values.items() if v is not None}


def _place(form: StepForm, exc: ApiError) -> None:
    """Each broken rule beside the field it concerns, the other errors as any service's."""
    errors = dict(exc.errors) if isinstance(exc.errors, dict) else {}
    violations = errors.pop("rules", [])
    for violation in violations:
        code = violation.get("code") if isinstance(violation, dict) else None
        target = getattr(form, RULE_FIELDS.get(code, "done_on"))
        target.errors = [*list(target.errors or []), translated(violation)]
    if errors or not violations:
        put_errors(form, ApiError(exc.status, exc.message, errors))


@bp.route("/work/development/<person_id>", methods=["GET", "POST"])
@page
def work_person(person_id):
    """A person's recorded steps and the form for the next one."""
    require_worker()
    person, org = visible_record(DevelopmentPerson, person_id, "person", role=WRITE_ROLE)
    recorded = development.steps_of(person)
    last = max((s.code for s in recorded), default=None)
    form = StepForm()
    form.code.choices = [(s.code, f"{s.code}. {s.name}") for s in S.STEPS if s.code > 1]
    form.introducer_ids.choices = _introducer_choices(org)
    may_override = has_role(OVERRIDE_ROLE, org)
    status = 200
    if request.method == "GET":
        form.code.data = next_code(last)
        form.version.data = person.version
    elif form.validate_on_submit():
        try:
            development.record_step(
                person, form.code.data, form.done_on.data, evidence=form.evidence.data or None,
                details=_details(form),
                override_reason=(form.override_reason.data or None) if may_override else None,
                can_override=may_override, expected_version=versions.read(form))
        except ApiError as exc:
            db.session.rollback()
            if versions.is_conflict(exc):
                versions.show_conflict(form)
            else:
                _place(form, exc)
            status = exc.status
            person, org = visible_record(DevelopmentPerson, person_id, "person", role=WRITE_ROLE)
            recorded = development.steps_of(person)
        else:
            db.session.commit()
            flash(gettext("Step recorded: %(step)s.", step=S.step(form.code.data).name))
            refresh_warnings(orgs.get(person.org_id), ("development.", "members."))
            return redirect(url_for("web.work_person", person_id=person.id))
    else:
        status = 422
    return render_template(
        "web/work/person.html", org=org, person=person, recorded=recorded, form=form,
        stage=S.STAGE_NAMES[person.stage], steps=S.BY_CODE, may_override=may_override,
    ), status
