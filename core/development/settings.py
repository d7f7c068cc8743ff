"""The numbers the development rules use: national defaults a tenant may change.

The defaults are the 《发展党员工作细则》 numbers (DESIGN.md, "Member development");
``public_notice_min_days`` is local practice (公示 of usually five days). A tenant's
overrides live in one ``development_settings`` row; what the rules read is always the
defaults merged with them and loaded through :class:`DevelopmentRulesSchema`, so it is
complete and typed. A bad override is refused when written (422 naming the field).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db, versioning
from core.development.models import DevelopmentSettings

_positive = validate.Range(min=0)


def _months(default: int, what: str):
    return fields.Int(load_default=default, validate=validate.Range(min=0, max=120),
                      metadata={"description": what})


class DevelopmentRulesSchema(Schema):
    min_age = fields.Int(load_default=18, validate=validate.Range(min=14, max=30),
                         metadata={"description": "申请人最低年龄（周岁）"})
    talk_within_months = _months(1, "收到入党申请书后谈话期限（月）")
    contacts_min = fields.Int(load_default=1, validate=validate.Range(min=0, max=5),
                              metadata={"description": "培养联系人最少人数"})
    contacts_max = fields.Int(load_default=2, validate=validate.Range(min=1, max=5),
                              metadata={"description": "培养联系人最多人数"})
    review_every_months = _months(6, "积极分子考察间隔（月）")
    activist_min_months = _months(12, "积极分子培养最短期限（月）")
    political_review_valid_months = _months(12, "政治审查有效期（月）")
    training_min_days = fields.Int(load_default=3, validate=_positive,
                                   metadata={"description": "集中培训最少天数"})
    training_min_hours = fields.Int(load_default=24, validate=_positive,
                                    metadata={"description": "集中培训最少学时"})
    introducers = fields.Int(load_default=2, validate=validate.Range(min=1, max=5),
                             metadata={"description": "入党介绍人人数"})
    public_notice_min_days = fields.Int(load_default=5, validate=validate.Range(min=0, max=60),
                                        metadata={"description": "发展对象公示最少天数"})
    branch_meeting_within_months = _months(1, "预审后召开支部大会期限（月）")
    approval_within_months = _months(3, "支部大会后上级党委审批期限（月）")
    probation_months = _months(12, "预备期（月）")
    extension_min_months = _months(6, "延长预备期最短（月）")
    extension_max_months = _months(12, "延长预备期最长（月）")
    conversion_vote_within_months = _months(1, "转正申请后支部大会讨论期限（月）")
    conversion_approval_within_months = _months(3, "支部大会讨论转正后上级党委审批期限（月）")

    @validates_schema
    def _ranges(self, data, **kwargs):
        if data.get("contacts_min", 0) > data.get("contacts_max", 99):
            raise ValidationError("Must not exceed contacts_max.", "contacts_min")
        if data.get("extension_min_months", 0) > data.get("extension_max_months", 999):
            raise ValidationError("Must not exceed extension_max_months.", "extension_min_months")


DEFAULTS = DevelopmentRulesSchema().load({})


def _row() -> DevelopmentSettings | None:
    return db.session.scalar(select(DevelopmentSettings))


def tenant_overrides() -> dict:
    row = _row()
    return dict(row.overrides or {}) if row is not None else {}


def rule_settings() -> dict:
    """The current tenant's effective numbers (defaults ← the tenant's overrides)."""
    return DevelopmentRulesSchema().load(tenant_overrides())


def settings_version() -> int:
    """The version of the tenant's overrides (0: never changed), for a compare-and-set."""
    return versioning.current_version(_row())


def set_overrides(overrides: dict, expected_version: int | None = None) -> dict:
    """Replace the current tenant's overrides (``{}`` restores the defaults); 422 naming
    each bad field, nothing written then. Returns the effective numbers; the caller commits.
    ``expected_version`` is the version the caller read: another one is a 409 naming
    ``version`` (someone changed the numbers since)."""
    schema = DevelopmentRulesSchema()
    try:
        schema.load(overrides, unknown=RAISE)
    except ValidationError as exc:
        raise ApiError(422, "Invalid development rule settings.", exc.messages) from None
    row = _row()
    versioning.check_row_version(row, expected_version, "development settings")
    if row is None:
        row = DevelopmentSettings(overrides={})
        db.session.add(row)
    row.overrides = dict(overrides)
    versioning.flush_first_write("development settings")
    return rule_settings()
