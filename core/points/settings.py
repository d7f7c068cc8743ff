"""The tenant's points settings (``core.points.plugin``'s settings schema).

* ``self_approve`` — may the person who recorded an entry approve it too? Off by default:
  a second person (a branch secretary of the entry's organisation or higher) approves.
* ``exempt_categories`` — members whose points are kept but who are not ranked (listed
  without a rank, left out of the "n/m" of their branch and of the branch average):

  - ``mobile`` (流动党员) and ``lost_contact`` (失联党员): they cannot take part in their
    branch's life, so ranking them against those who can says nothing;
  - ``elderly``: members aged ``elderly_age`` or more (年老体弱, the usual local exemption);
  - ``retired`` (离退休) and ``probationary`` (预备党员) are available for cities that rank
    them separately or not at all.

  The default is ``["mobile", "lost_contact", "elderly"]`` with ``elderly_age`` 70: retired
  members are ranked (many village branches are mostly retirees), the very old are not.
* ``silver_threshold`` / ``gold_threshold`` — points earned (all time) for a silver and a
  gold card (积分金银卡); offers may require a level.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

EXEMPT_CATEGORIES = ("retired", "mobile", "lost_contact", "elderly", "probationary")
PLUGIN = "core.points.plugin"


class PointsSettingsSchema(Schema):
    self_approve = fields.Bool(load_default=False)
    exempt_categories = fields.List(
        fields.Str(validate=validate.OneOf(EXEMPT_CATEGORIES)),
        load_default=lambda: ["mobile", "lost_contact", "elderly"],
    )
    elderly_age = fields.Int(load_default=70, validate=validate.Range(min=50, max=120))
    silver_threshold = fields.Int(load_default=100, validate=validate.Range(min=1))
    gold_threshold = fields.Int(load_default=300, validate=validate.Range(min=1))

    @validates_schema
    def _levels_in_order(self, data, **kwargs):
        silver, gold = data.get("silver_threshold"), data.get("gold_threshold")
        if silver is not None and gold is not None and gold <= silver:
            raise ValidationError("Must be above silver_threshold.", "gold_threshold")


def points_settings() -> dict:
    """The current tenant's effective points settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
