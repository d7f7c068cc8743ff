"""The archives slice's tenant settings (``core.archives.plugin``), read with
:func:`core.plugins.settings.effective_settings`.

* ``extra_document_types`` — the tenant's own document types beside the national ones
  (:data:`DOCUMENT_TYPES`): ``[{"key": "talk_record", "label": "谈话记录"}]``. A key is
  lower-case letters, digits and ``_``, and must not repeat a national one.
* ``required`` — the document types an archive must hold at each stage (``applicant``,
  ``activist``, ``candidate``, ``probationary``, ``full``); the defaults follow the
  《发展党员工作细则》's files: each stage keeps what the earlier ones needed. A stage left out
  requires nothing.
* ``members_joined_from`` — members who joined on or after this day are checked even when
  they were not developed through this system and their archive is still empty. Unset (the
  default), a register member is checked once developed here or once their archive holds a
  document: a city digitising its paper archives is not warned about every member at once.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

PLUGIN = "core.archives.plugin"

# The national document types: key → label (入党材料 as 发展党员工作细则 lists them).
DOCUMENT_TYPES = {
    "application": "入党申请书",
    "thought_report": "思想汇报",
    "activist_materials": "入党积极分子培养考察材料",
    "candidate_materials": "发展对象考察材料",
    "political_review": "政治审查材料",
    "training_certificate": "集中培训结业证书",
    "admission_form": "入党志愿书",
    "conversion_application": "转正申请书",
    "transfer_letter": "组织关系介绍信",
    "other": "其他材料",
}
STAGES = ("applicant", "activist", "candidate", "probationary", "full")
_APPLICANT = ["application"]
_ACTIVIST = [*_APPLICANT, "activist_materials"]
_CANDIDATE = [*_ACTIVIST, "political_review", "candidate_materials"]
_PROBATIONARY = [*_CANDIDATE, "admission_form"]
DEFAULT_REQUIRED = {
    "applicant": _APPLICANT,
    "activist": _ACTIVIST,
    "candidate": _CANDIDATE,
    "probationary": _PROBATIONARY,
    "full": [*_PROBATIONARY, "conversion_application"],
}


def _no_nul(value):
    if "\x00" in value:
        raise validate.ValidationError("Must not contain NUL characters.")


class ExtraDocumentTypeSchema(Schema):
    key = fields.Str(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$", error="Lower-case letters, digits and _, 2–40 characters."))
    label = fields.Str(required=True, validate=[validate.Length(min=1, max=50), _no_nul])


class ArchivesSettingsSchema(Schema):
    extra_document_types = fields.List(
        fields.Nested(ExtraDocumentTypeSchema), load_default=list, validate=validate.Length(max=50),
        metadata={"description": "本市增设的档案材料类型，每行一个：{\"key\": \"talk_record\", \"label\": \"谈话记录\"}"})
    required = fields.Dict(
        keys=fields.Str(validate=validate.OneOf(STAGES)),
        values=fields.List(fields.Str(validate=validate.Length(min=1, max=40)),
                           validate=validate.Length(max=60)),
        load_default=lambda: {stage: list(types) for stage, types in DEFAULT_REQUIRED.items()},
        metadata={"description": "各阶段（applicant 入党申请人、activist 积极分子、candidate 发展对象、probationary 预备党员、full 正式党员）必备的材料类型"},
    )
    members_joined_from = fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "此日期（含）之后入党的党员，即使档案中尚无材料也检查其档案完整性"})

    @validates_schema
    def _known_types(self, data, **kwargs):
        extra = data.get("extra_document_types") or []
        keys = [t["key"] for t in extra]
        clash = sorted({k for k in keys if k in DOCUMENT_TYPES or keys.count(k) > 1})
        if clash:
            raise ValidationError(f"Keys must be new and unique: {', '.join(clash)}.",
                                  "extra_document_types")
        known = set(DOCUMENT_TYPES) | set(keys)
        for stage, types in (data.get("required") or {}).items():
            unknown = sorted(set(types) - known)
            if unknown:
                raise ValidationError(
                    {stage: [f"Unknown document types: {', '.join(unknown)}."]}, "required")
            if len(set(types)) != len(types):
                raise ValidationError({stage: ["Items must be unique."]}, "required")


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)


def document_types(values: dict | None = None) -> dict[str, str]:
    """Every document type of the tenant, key → label: the national ones, then its own."""
    values = values if values is not None else settings()
    types = dict(DOCUMENT_TYPES)
    types.update({t["key"]: t["label"] for t in values["extra_document_types"]})
    return types


def required_types(values: dict | None = None) -> dict[str, list[str]]:
    """Stage → the document types required at it (every stage present; ``[]`` for none)."""
    values = values if values is not None else settings()
    return {stage: list(values["required"].get(stage) or []) for stage in STAGES}
