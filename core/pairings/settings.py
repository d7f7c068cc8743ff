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

from marshmallow import Schema, ValidationError, fields, validate

from core.orgs.models import BRANCH_LEVEL_KINDS, KINDS

PLUGIN = "core.pairings.plugin"


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("Items must be unique.")


_code = fields.Int(validate=validate.Range(min=1, max=9))


class PairingsSettingsSchema(Schema):
    org_categories = fields.List(_code, load_default=lambda: [1, 2, 4],
                                 validate=[validate.Length(min=1, max=9), _unique])
    partner_categories = fields.List(_code, load_default=lambda: [3, 7],
                                     validate=[validate.Length(min=1, max=9), _unique])
    coverage_kinds = fields.List(fields.Str(validate=validate.OneOf(KINDS)),
                                 load_default=lambda: list(BRANCH_LEVEL_KINDS),
                                 validate=[validate.Length(min=1, max=len(KINDS)), _unique])
    figure_months = fields.Int(load_default=6, validate=validate.Range(min=1, max=36))


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
