"""The problems slice's tenant settings (``core.problems.plugin``), read with
:func:`core.plugins.settings.effective_settings`.

* ``evidence_required`` — a submission for close-out needs at least one piece of evidence
  (佐证材料) besides the rectification measures; on by default, as inspections expect.
* ``categories`` — the problem categories a ledger uses (问题类别).
* ``weak_reason_categories`` — why an organisation is designated 软弱涣散; the defaults are the
  situations national practice names.
* ``default_deadline_days`` — the deadline of a problem created from a warning when none is
  given.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

PLUGIN = "core.problems.plugin"

PROBLEM_CATEGORIES = (
    "组织建设", "组织生活", "党员教育管理", "发展党员", "党费收缴", "阵地建设", "作风纪律", "其他",
)
WEAK_REASONS = (
    "班子不健全", "书记不胜任", "组织生活不正常", "党员管理松散", "发展党员违规",
    "宗族宗教势力干扰", "其他",
)

def _no_nul(value):
    if "\x00" in value:
        raise validate.ValidationError("Must not contain NUL characters.")


_label = fields.Str(validate=[validate.Length(min=1, max=50), _no_nul])


def _unique(values):
    if len(set(values)) != len(values):
        raise validate.ValidationError("Items must be unique.")


class ProblemsSettingsSchema(Schema):
    evidence_required = fields.Bool(load_default=True)
    categories = fields.List(_label, load_default=lambda: list(PROBLEM_CATEGORIES),
                             validate=[validate.Length(min=1, max=100), _unique])
    weak_reason_categories = fields.List(_label, load_default=lambda: list(WEAK_REASONS),
                                         validate=[validate.Length(min=1, max=100), _unique])
    default_deadline_days = fields.Int(load_default=30, validate=validate.Range(min=1, max=3650))


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
