"""The indicators API (``/api/v1/indicators``): the catalogue a standard is built from.

* ``GET ""`` — every indicator the tenant has (its enabled plugins' and its own), with the
  parameters' defaults; ``GET /<key>`` one of them. Any signed-in user.
* ``GET /custom`` — the tenant's own indicators (active and deactivated).
* ``POST /custom``, ``PATCH /custom/<key>`` — ``tenant_admin``: add a manual or threshold
  indicator; rename, re-describe, change its default target or points, (de)activate it.
"""

from __future__ import annotations

from marshmallow import missing

from core.api import Blueprint, abort
from core.assessment import custom, registry
from core.assessment.api.standard_schemas import (
    CustomIndicatorCreateSchema,
    CustomIndicatorSchema,
    CustomIndicatorUpdateSchema,
    IndicatorSchema,
)
from core.assessment.indicators import Indicator
from core.assessment.standards import json_safe
from core.auth.permissions import login_required, roles_required
from core.db import db
from core.db.versioning import expect

bp = Blueprint("assessment_indicators", __name__,
               description="Assessment indicators (指标), and the tenant's own simple ones.")


def _param_fields(indicator: Indicator) -> list[dict]:
    if indicator.params is None:
        return []
    described = []
    for name, field in indicator.params().fields.items():
        default = field.load_default
        if default is missing:
            default = None
        elif callable(default):
            default = default()
        described.append({
            "name": name,
            "type": type(field).__name__,
            "default": json_safe(default),
            "description": (field.metadata or {}).get("description"),
        })
    return described


def _describe(indicator: Indicator, plugins: dict, inactive: set[str]) -> dict:
    defaults = registry.effective_params(indicator, {})
    dumped = indicator.params().dump(defaults) if indicator.params is not None else {}
    is_custom = indicator.key.startswith(custom.PREFIX) and indicator.key not in plugins
    return {
        "key": indicator.key,
        "name": indicator.name,
        "scoring": indicator.scoring,
        "max_points": indicator.max_points,
        "sectors": list(indicator.sectors),
        "kinds": list(indicator.kinds),
        "unit": indicator.unit,
        "reads": indicator.reads,
        "description": indicator.description,
        "params": json_safe(dumped),
        "param_fields": _param_fields(indicator),
        "plugin": None if is_custom else plugins.get(indicator.key),
        "custom": is_custom,
        "active": indicator.key not in inactive,
    }


def _catalogue() -> tuple[dict, dict, set]:
    plugins = {key: reg.plugin for key, reg in registry.all_indicators().items()}
    return registry.tenant_indicators(), plugins, custom.inactive_keys()


@bp.route("", methods=["GET"])
@login_required
@bp.response(200, IndicatorSchema(many=True))
def list_indicators():
    """Every indicator the tenant has, by key."""
    indicators, plugins, inactive = _catalogue()
    return [_describe(indicators[key], plugins, inactive) for key in sorted(indicators)]


@bp.route("/custom", methods=["GET"])
@login_required
@bp.response(200, CustomIndicatorSchema(many=True))
def list_custom_indicators():
    """The tenant's own indicators, active and deactivated."""
    return custom.list_custom()


@bp.route("/custom", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(CustomIndicatorCreateSchema)
@bp.response(201, CustomIndicatorSchema)
def create_custom_indicator(data):
    """Add a manual indicator, or a threshold on a sector attribute (key ``custom.<slug>``).
    Scoring, attribute and comparison cannot change afterwards."""
    row = custom.create_custom(**data)
    db.session.commit()
    return row


@bp.route("/custom/<key>", methods=["PATCH"])
@roles_required("tenant_admin")
@bp.arguments(CustomIndicatorUpdateSchema)
@bp.response(200, CustomIndicatorSchema)
def update_custom_indicator(data, key):
    """Rename, re-describe, change the default target or points, or (de)activate. A
    deactivated indicator stays in the standard versions that hold it but cannot be added.
    Send the ``version`` you read: a stale one is a 409 naming it."""
    row = custom.get_custom(key)
    if row is None:
        abort(404, f"custom indicator {key} not found")
    row = custom.update_custom(key, **expect(row, data, "custom indicator"))
    db.session.commit()
    return row


@bp.route("/<key>", methods=["GET"])
@login_required
@bp.response(200, IndicatorSchema)
def get_indicator(key):
    """One indicator (404 when the tenant does not have it)."""
    indicators, plugins, inactive = _catalogue()
    indicator = indicators.get(key)
    if indicator is None:
        abort(404, f"indicator {key} not found")
    return _describe(indicator, plugins, inactive)
