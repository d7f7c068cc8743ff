"""The brands slice's tenant settings (``core.brands.plugin``), read with
:func:`core.plugins.settings.effective_settings`.

* ``criteria`` — what a model-site application must answer (申报条件), one answer each.
* ``notice_days`` — how long the public notice (公示) of a passed application lasts; the
  title is awarded only after it ends.
* ``rereview_month`` — the month by whose end each year's re-review (复核) of an awarded
  title is due; a due re-review not done by then lapses and the title is withdrawn.
* ``hundred_best_quota`` — how many 基层党建百佳示范单位 titles a year may hold (100).
* ``rural_category_codes`` — the 党组织类别 codes whose organisations count for 一村一亮点
  and 一乡镇一特色 coverage (③ 农村 nationally): their branches (and organisations marked
  ``village: true``) are villages, their committees not so marked are townships.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

PLUGIN = "core.brands.plugin"

CRITERIA = (
    "组织体系健全，班子团结有力",
    "组织生活规范，三会一课落实到位",
    "党建品牌特色鲜明，有理念、有载体、有成效",
    "党员先锋模范作用发挥明显",
    "党建引领发展成效显著，群众满意度高",
)


def _no_nul(value):
    if "\x00" in value:
        raise validate.ValidationError("Must not contain NUL characters.")


def _unique(values):
    if len(set(values)) != len(values):
        raise validate.ValidationError("Items must be unique.")


class BrandsSettingsSchema(Schema):
    criteria = fields.List(fields.Str(validate=[validate.Length(min=1, max=200), _no_nul]),
                           load_default=lambda: list(CRITERIA),
                           validate=[validate.Length(min=1, max=50), _unique])
    notice_days = fields.Int(load_default=7, validate=validate.Range(min=1, max=90))
    rereview_month = fields.Int(load_default=12, validate=validate.Range(min=1, max=12))
    hundred_best_quota = fields.Int(load_default=100, validate=validate.Range(min=1, max=10_000))
    rural_category_codes = fields.List(fields.Int(validate=validate.Range(min=1, max=9)),
                                       load_default=lambda: [3],
                                       validate=[validate.Length(max=9), _unique])


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
