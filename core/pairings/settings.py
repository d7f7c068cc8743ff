"""The pairing slice's tenant settings (``core.pairings.plugin``).

Which organisations stand on each side is said with the national 党组织类别 codes (core
names no sector; each sector plugin declares its codes):

* ``org_categories`` — the initiating side: ① 国有企业, ② 非公有制企业, ④ 党政机关 by default;
* ``partner_categories`` — the village or community side: ③ 农村, ⑦ 街道社区 by default;
* ``coverage_kinds`` — which village/community organisations the coverage figure counts (the
  branch level by default: a village's or a community grid's 支部, 总支, 联合支部; a township's
  or a street's committee is not a village). A pairing covers its partner and every such
  organisation under it (a 社区党委 paired covers its grid branches);
* ``figure_months`` — the default window of the activity figures (pairings with an activity
  in the last N months, activities per pairing).

How long a pairing may go without a joint activity before it is idle is the warning rule's
parameter ``days`` (``pairings.idle``), set per tenant like every rule threshold.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.orgs.models import BRANCH_LEVEL_KINDS, KINDS

PLUGIN = "core.pairings.plugin"


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("Items must be unique.")


_code = fields.Int(validate=validate.Range(min=1, max=9))


class PairingsSettingsSchema(Schema):
    org_categories = fields.List(
        _code, load_default=lambda: [1, 2, 4], validate=[validate.Length(min=1, max=9), _unique],
        metadata={"description": "结对发起方（机关、国企、两新）的党组织类别代码：1 国有企业、2 非公有制企业、"
                                 "4 党政机关……"})
    partner_categories = fields.List(
        _code, load_default=lambda: [3, 7], validate=[validate.Length(min=1, max=9), _unique],
        metadata={"description": "结对村（社区）一方的党组织类别代码：3 农村、7 街道社区"})
    coverage_kinds = fields.List(
        fields.Str(validate=validate.OneOf(KINDS)), load_default=lambda: list(BRANCH_LEVEL_KINDS),
        validate=[validate.Length(min=1, max=len(KINDS)), _unique],
        metadata={"description": "计算村（社区）结对覆盖率时统计的党组织类型（默认支部一级：branch、"
                                 "general_branch、joint_branch）"})
    figure_months = fields.Int(
        load_default=6, validate=validate.Range(min=1, max=36),
        metadata={"description": "活跃度统计的默认时间段（近 N 个月）"})

    @validates_schema
    def _sides_apart(self, data, **kwargs):
        both = set(data.get("org_categories") or ()) & set(data.get("partner_categories") or ())
        if both:
            raise ValidationError(f"A category cannot stand on both sides: {sorted(both)}.",
                                  "partner_categories")


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
