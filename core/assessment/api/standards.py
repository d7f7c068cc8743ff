"""The standards API (``/api/v1/standards``): default standards and the tenant's own.

* ``GET /templates`` — the default standards of the tenant's plugins, to copy.
* ``GET ""`` (``active_only``) and ``GET /<id>`` — the tenant's standards; one with its
  current version's items, each with its indicator's name.
* ``POST ""`` — ``{"template": key, "name"?}``, ``{"copy_of": id, "name"}`` or a full
  definition ``{"name", "items", "sector"?, "kinds"?, "description"?}``.
* ``PUT /<id>`` — change it: a new version when name, sector, kinds or items change.
* ``GET /<id>/versions`` and ``GET /<id>/versions/<number>`` — the frozen versions.
* ``POST /<id>/preview`` — ``{"items"}``: how the change would move the last published
  cycle's scores and stars (nothing written; 409 when no published cycle used it).

Reading: any signed-in user of the tenant. Writing: ``tenant_admin``. Another tenant's
standard is a 404 like an unknown one.
"""

from __future__ import annotations

from core.api import ApiError, Blueprint, abort
from core.assessment import preview, registry, standards
from core.assessment.api.preview_schemas import PreviewInputSchema, PreviewSchema
from core.assessment.api.standard_schemas import (
    StandardCreateSchema,
    StandardDetailSchema,
    StandardQuerySchema,
    StandardSchema,
    StandardUpdateSchema,
    TemplateSchema,
    VersionSchema,
    VersionSummarySchema,
)
from core.assessment.models.standards import Standard, StandardVersion
from core.auth.permissions import login_required, roles_required
from core.db import db
from core.db.versioning import check_version

MAX_NUMBER = 2**31 - 1  # an INTEGER column: larger numbers cannot exist

bp = Blueprint("assessment_standards", __name__,
               description="Assessment standards (标准): templates, the tenant's versioned standards.")


def _standard(standard_id) -> Standard:
    standard = standards.get_standard(standard_id)
    if standard is None:
        abort(404, f"standard {standard_id} not found")
    return standard


def _summary(version: StandardVersion) -> dict:
    return {
        "id": version.id, "number": version.number, "name": version.name,
        "sector": version.sector, "kinds": list(version.kinds or ()), "note": version.note,
        "created_by": version.created_by, "created_at": version.created_at,
        "item_count": len(version.items or ()), "standard_id": version.standard_id,
    }


def _version(version: StandardVersion) -> dict:
    return {**_summary(version), "items": standards.describe_items(version)}


STANDARD_FIELDS = ("id", "name", "sector", "kinds", "description", "active", "current_version",
                   "based_on", "created_at", "updated_at")


def _detail(standard: Standard) -> dict:
    return {**{f: getattr(standard, f) for f in STANDARD_FIELDS},
            "version": _version(standards.latest_version(standard)),
            "edit_version": standard.version}


@bp.route("/templates", methods=["GET"])
@login_required
@bp.response(200, TemplateSchema(many=True))
def list_templates():
    """The default standards the tenant's enabled plugins ship."""
    indicators = registry.tenant_indicators()
    plugins = {key: reg.plugin for key, reg in registry.all_templates().items()}
    described = []
    for key, template in sorted(registry.tenant_templates().items()):
        items = []
        for item in template.items:
            indicator = indicators.get(item.indicator)
            weight = item.weight if item.weight is not None else (
                indicator.max_points if indicator is not None else 0)
            items.append({"indicator": item.indicator,
                          "name": indicator.name if indicator is not None else None,
                          "weight": weight, "params": standards.json_safe(dict(item.params or {}))})
        described.append({"key": key, "name": template.name, "sector": template.sector,
                          "kinds": list(template.kinds), "description": template.description,
                          "plugin": plugins.get(key), "items": items})
    return described


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(StandardQuerySchema, location="query")
@bp.response(200, StandardSchema(many=True))
def list_standards(query):
    """The tenant's standards by name."""
    return standards.list_standards(active_only=query["active_only"])


@bp.route("", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(StandardCreateSchema)
@bp.response(201, StandardDetailSchema)
def create_standard(data):
    """Copy a template (``template``), copy a standard (``copy_of`` with ``name``) or define
    one (``name``, ``items``; weights adding up to exactly 100). Writes version 1."""
    modes = [m for m in ("template", "copy_of", "items") if data.get(m) is not None]
    if len(modes) > 1:
        message = "Give only one of template, copy_of or items."
        raise ApiError(422, message, {m: [message] for m in modes})
    if data["template"] is not None:
        standard = standards.copy_template(data["template"], data["name"],
                                           description=data["description"])
    elif data["copy_of"] is not None:
        if not data["name"]:
            raise ApiError(422, "name: required to copy a standard.",
                           {"name": ["Missing data for required field."]})
        if standards.get_standard(data["copy_of"]) is None:
            raise ApiError(422, "copy_of: unknown standard.", {"copy_of": ["Unknown standard."]})
        standard = standards.copy_standard(data["copy_of"], data["name"],
                                           description=data["description"])
    else:
        definition = {k: data[k] for k in ("sector", "description", "note")}
        if data["kinds"] is not None:
            definition["kinds"] = data["kinds"]
        standard = standards.create_standard(data["name"], data["items"], **definition)
    db.session.commit()
    return _detail(standard)


@bp.route("/<standard_id>", methods=["GET"])
@login_required
@bp.response(200, StandardDetailSchema)
def get_standard(standard_id):
    """A standard with its current version's items."""
    return _detail(_standard(standard_id))


@bp.route("/<standard_id>", methods=["PUT"])
@roles_required("tenant_admin")
@bp.arguments(StandardUpdateSchema)
@bp.response(200, StandardDetailSchema)
def update_standard(data, standard_id):
    """Change a standard. Name, sector, kinds or items changed: a new version (earlier
    versions, and the cycles using them, stay as they were). Send the ``edit_version`` you
    read: a stale one is a 409 naming it."""
    standard = _standard(standard_id)
    check_version(standard, data.pop("edit_version", None), "standard", "edit_version")
    standards.update_standard(standard.id, **data)
    db.session.commit()
    return _detail(standard)


@bp.route("/<standard_id>/versions", methods=["GET"])
@login_required
@bp.response(200, VersionSummarySchema(many=True))
def list_versions(standard_id):
    """Every version of a standard, oldest first."""
    return [_summary(v) for v in standards.versions(_standard(standard_id))]


@bp.route("/<standard_id>/versions/<int:number>", methods=["GET"])
@login_required
@bp.response(200, VersionSchema)
def get_version(standard_id, number):
    """One frozen version with its items."""
    standard = _standard(standard_id)
    version = standards.version_by_number(standard, number) if number <= MAX_NUMBER else None
    if version is None:
        abort(404, f"version {number} of standard {standard_id} not found")
    return _version(version)


@bp.route("/<standard_id>/preview", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(PreviewInputSchema)
@bp.response(200, PreviewSchema)
def preview_standard(data, standard_id):
    """How changing the standard's items would move the last published cycle's scores:
    each organisation's published score and stars beside those with the change, and how
    many gain, lose or keep stars. Validated as ``PUT``; nothing is written."""
    found = preview.preview(_standard(standard_id), data["items"])
    return {
        "standard_id": found.standard.id, "cycle": found.cycle,
        "cycle_version": found.cycle_version, "base_version": found.base_version,
        "summary": found.summary(), "items": found.items,
        "rows": [{**row.__dict__, "change": row.change, "move": row.move} for row in found.rows],
    }
