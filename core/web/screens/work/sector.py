"""Sector data (领域数据): an organisation's sector attributes and those of the units it
serves, in forms generated from the marshmallow schemas the tenant's enabled plugins
declare (:func:`core.orgs.attributes.schemas_for` / ``unit_schemas_for``).

Each schema field becomes a form field by its type — whole numbers, decimals, yes/no (with
"not filled in", as every attribute is optional), dates, a choice, a list of choices
(checkboxes), free text — labelled with the field's ``description``. Saving goes through
``core.orgs.service.update`` and ``core.orgs.units.update``, the services of the API's
``PATCH /orgs/<id>`` and ``PATCH /orgs/<id>/units/<unit_id>``, with their role (a
``branch_secretary`` keeps the attributes of their own organisation); the plugins'
validation errors (``attributes.<field>``) stand beside the field.
"""

from __future__ import annotations

import re
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import fields as ma
from marshmallow import validate as mv
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional

from core.api.errors import ApiError, abort
from core.api.smorest import parse_id
from core.auth.permissions import has_role
from core.db import db, versioning
from core.orgs import attributes as org_attributes
from core.orgs import service as orgs
from core.orgs import units
from core.web import versions
from core.web.blueprint import bp, page
from core.web.screens.work.common import SECTOR_ROLE, put_errors, refresh_warnings, work_org
from core.web.service_errors import flat

UNSET = ("", _l("Not filled in"))
YES_NO = [UNSET, ("true", _l("Yes")), ("false", _l("No"))]
PREFIX = "f_"
CJK = re.compile(r"[\u4e00-\u9fff]")
# "户数 (households)": an English gloss in parentheses (no Chinese in it) is left out.
ENGLISH_GLOSS = re.compile(r"\s*\((?=[^)]*[A-Za-z]{3})[^)\u4e00-\u9fff]*\)\s*$")


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def label_of(name: str, field: ma.Field) -> tuple[str, str | None]:
    """The field's label and hint from its description: ``户数 (households)`` is labelled
    户数; what follows a colon is the hint (``村级党组织: true for …``)."""
    text = (field.metadata or {}).get("description") or name
    depth, cut = 0, None
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char in ":：" and depth == 0:
            cut = index
            break
    label = ENGLISH_GLOSS.sub("", text if cut is None else text[:cut]).strip() or name
    return label, (text[cut + 1:].strip() or None) if cut is not None else None


def _choices(field: ma.Field) -> list | None:
    for validator in field.validators or ():
        if isinstance(validator, mv.OneOf):
            labels = list(validator.labels) if validator.labels else [str(c) for c in validator.choices]
            return [(str(c), str(label)) for c, label in zip(validator.choices, labels, strict=False)]
    return None


def form_field(name: str, field: ma.Field):
    """A WTForms field for one schema field (``None``: a type the form cannot edit)."""
    label, hint = label_of(name, field)
    if hint and len(CJK.findall(hint)) * 2 < len(re.findall(r"[A-Za-z]", hint)):
        hint = None  # a note for developers, in English: not for the form
    options = {"name": name, "description": hint or "", "validators": [Optional()]}
    if isinstance(field, ma.Boolean):
        return SelectField(label, choices=YES_NO, **options)
    if isinstance(field, ma.Integer):
        return IntegerField(label, **options)
    if isinstance(field, ma.Number):
        return DecimalField(label, **options)
    if isinstance(field, ma.Date) and not isinstance(field, ma.DateTime):
        return DateField(label, **options)
    if isinstance(field, ma.List):
        choices = _choices(field.inner)
        if choices:
            return CheckboxList(label, choices=choices, **{**options, "description": ""})
        return TextAreaField(label, **{**options, "description": gettext("One a line.")})
    if isinstance(field, ma.String):
        choices = _choices(field)
        return SelectField(label, choices=[UNSET, *choices], **options) if choices else StringField(label, **options)
    return None


def schema_fields(schemas) -> dict[str, ma.Field]:
    found = {}
    for schema in schemas:
        for name, field in schema.fields.items():
            if not field.dump_only:
                found[field.data_key or name] = field
    return found


def make_form(declared: dict[str, ma.Field], stored: dict, formdata, version: int | None = None):
    """A form of the declared fields, filled from ``stored`` (or the posted data), with the
    record's ``version`` hidden (:mod:`core.web.versions`)."""
    attrs = {PREFIX + key: f for key, schema_field in declared.items()
             if (f := form_field(key, schema_field)) is not None}
    attrs["version"] = versions.version_field()
    form_class = type("SectorForm", (FlaskForm,), attrs)
    initial = {}
    for key, field in declared.items():
        value = stored.get(key)
        if isinstance(field, ma.Boolean) and value is not None:
            value = "true" if value else "false"
        elif isinstance(field, ma.Date) and isinstance(value, str):
            value = date.fromisoformat(value)
        elif isinstance(field, ma.List) and not _choices(field.inner) and value is not None:
            value = "\n".join(map(str, value))
        initial[PREFIX + key] = value
    initial["version"] = version
    form = form_class(formdata=formdata, data=initial)
    return form


def attributes_of(form, declared: dict[str, ma.Field]) -> dict:
    """The attributes to store: the filled-in fields, in what the schemas load."""
    values = {}
    for key, field in declared.items():
        target = getattr(form, PREFIX + key, None)
        if target is None:
            continue
        value = target.data
        if value in (None, "", []):
            continue
        if isinstance(field, ma.Boolean):
            value = value == "true"
        elif isinstance(field, ma.Float):
            value = float(value)
        elif isinstance(field, ma.Number) and not isinstance(field, ma.Integer):
            value = str(value)
        elif isinstance(field, ma.Date):
            value = value.isoformat()
        elif isinstance(field, ma.List) and isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        elif isinstance(value, str):
            value = value.strip()
        values[key] = value
    return values


def field_names(exc: ApiError) -> dict[str, str]:
    """``attributes.<field>[.<index>]`` of a service error → the form's field."""
    return {name: PREFIX + name.split(".")[1] for name in flat(exc.errors) if name.startswith("attributes.")}


def _save(form, declared, apply) -> int:
    """Validate, store through ``apply(attributes)``; the response status."""
    if not form.validate_on_submit():
        return 422
    try:
        apply(attributes_of(form, declared))
    except ApiError as exc:
        db.session.rollback()
        if versions.is_conflict(exc):
            versions.show_conflict(form)
        else:
            put_errors(form, exc, field_names(exc))
        return exc.status
    db.session.commit()
    return 0


@bp.route("/work/<org_id>/sector", methods=["GET", "POST"])
@page
def work_sector(org_id):
    """The organisation's sector attributes (and links to its units')."""
    org = work_org(org_id)
    may_edit = has_role(SECTOR_ROLE, org)
    if request.method == "POST" and not may_edit:
        abort(403, gettext("Sector data is edited by the organisation manager."))
    declared = schema_fields(org_attributes.schemas_for(org.sector, org.kind))
    form = make_form(declared, org_attributes.visible(org),
                     request.form if request.method == "POST" else None, version=org.version)
    status = 200
    if request.method == "POST":
        def apply(values):
            versioning.check_version(org, versions.read(form), "organization")
            return orgs.update(org, {"attributes": values})

        status = _save(form, declared, apply)
        if status == 0:
            flash(gettext("Sector data saved."))
            refresh_warnings(org, (f"{org.sector}.",) if org.sector else (), sector=org.sector)
            return redirect(url_for("web.work_sector", org_id=org.id))
    return render_template(
        "web/work/sector.html", org=org, form=form, may_edit=may_edit, fields=declared,
        units=[(u, org_attributes.visible_unit(u, org.sector)) for u in units.units_of(org)],
        title=org.name,
    ), status


@bp.route("/work/<org_id>/sector/units/<unit_id>", methods=["GET", "POST"])
@page
def work_unit(org_id, unit_id):
    """One served unit's attributes."""
    org = work_org(org_id)
    parsed = parse_id(unit_id)
    unit = units.get(org, parsed) if parsed is not None else None
    if unit is None:
        abort(404, f"unit {unit_id} not found")
    may_edit = has_role(SECTOR_ROLE, org)
    if request.method == "POST" and not may_edit:
        abort(403, gettext("Sector data is edited by the organisation manager."))
    declared = schema_fields(org_attributes.unit_schemas_for(org.sector, unit.unit_type))
    form = make_form(declared, org_attributes.visible_unit(unit, org.sector),
                     request.form if request.method == "POST" else None, version=unit.version)
    status = 200
    if request.method == "POST":
        def apply(values):
            versioning.check_version(unit, versions.read(form), "unit")
            return units.update(org, unit, {"attributes": values})

        status = _save(form, declared, apply)
        if status == 0:
            flash(gettext("Sector data saved."))
            refresh_warnings(org, (f"{org.sector}.",) if org.sector else (), sector=org.sector)
            return redirect(url_for("web.work_unit", org_id=org.id, unit_id=unit.id))
    return render_template("web/work/sector.html", org=org, form=form, may_edit=may_edit,
                           fields=declared, unit=unit, units=None, title=unit.name), status
