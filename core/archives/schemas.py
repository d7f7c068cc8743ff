"""API schemas of member archives (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime

_type = fields.Str(validate=validate.Length(min=1, max=40),
                   metadata={"description": "a document type key (GET /api/v1/archives/types)"})
_title = fields.Str(validate=validate.Length(min=1, max=200))
_note = fields.Str(allow_none=True, validate=validate.Length(max=5000))


class DocumentFormSchema(Schema):
    """A multipart form: the metadata and ``file`` (pdf, jpg/png, docx/xlsx; checked by
    content and size, the file itself is read from the upload)."""

    doc_type = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                          metadata={"description": "a document type key (GET /api/v1/archives/types)"})
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    dated_on = fields.Date(required=True, metadata={"description": "the document's own date"})
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class DocumentPatchSchema(Schema):
    """Only what is sent changes; ``version`` is required (a stale one is a 409)."""

    version = fields.Int(required=True, validate=validate.Range(min=1))
    doc_type = _type
    title = _title
    dated_on = fields.Date()
    note = _note


class DocumentRemoveSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1),
                         metadata={"description": "the version you read; a stale one is a 409"})


class DocumentSchema(Schema):
    id = fields.UUID()
    member_id = fields.UUID(allow_none=True)
    person_id = fields.UUID(allow_none=True)
    doc_type = fields.Str()
    type_label = fields.Str()
    title = fields.Str()
    dated_on = fields.Date()
    note = fields.Str(allow_none=True)
    original_name = fields.Str()
    file_type = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    uploaded_by = fields.Str()
    created_at = UtcDateTime()
    removed_at = UtcDateTime(allow_none=True)
    removed_by = fields.Str(allow_none=True)
    removal_reason = fields.Str(allow_none=True)
    version = fields.Int()


class ChecklistItemSchema(Schema):
    doc_type = fields.Str()
    label = fields.Str()
    present = fields.Bool()


class CompletenessSchema(Schema):
    stage = fields.Str(allow_none=True)
    stage_label = fields.Str(allow_none=True)
    checked = fields.Bool(metadata={"description": "false for an archive no stage applies to (a member gone from the register, a stopped person)"})
    required = fields.List(fields.Nested(ChecklistItemSchema))
    missing = fields.List(fields.Str())
    missing_labels = fields.List(fields.Str())
    complete = fields.Bool()
    present_count = fields.Int()
    required_count = fields.Int()


class ArchiveLetterSchema(Schema):
    code = fields.Str()
    kind = fields.Str()
    issued_on = fields.Date()
    closed_at = UtcDateTime(allow_none=True)
    reason = fields.Str()


class ArchiveSchema(Schema):
    subject = fields.Str(metadata={"description": "member or person"})
    subject_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    member_id = fields.UUID(allow_none=True)
    person_ids = fields.List(fields.UUID())
    completeness = fields.Nested(CompletenessSchema)
    documents = fields.List(fields.Nested(DocumentSchema))
    removed = fields.List(fields.Nested(DocumentSchema),
                          metadata={"description": "documents removed from the archive (soft), with who and why"})
    transfer_letters = fields.List(fields.Nested(ArchiveLetterSchema),
                                   metadata={"description": "completed transfers: the 组织关系介绍信 on file"})


class ArchiveDocumentTypeSchema(Schema):
    key = fields.Str()
    label = fields.Str()
    national = fields.Bool()


class StageFigureSchema(Schema):
    stage = fields.Str()
    stage_label = fields.Str()
    checked = fields.Int()
    complete = fields.Int()
    share = fields.Float(allow_none=True)


class IncompleteSchema(Schema):
    subject = fields.Str()
    subject_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    org_name = fields.Str()
    stage = fields.Str()
    missing = fields.List(fields.Str())


class SubtreeCompletenessSchema(Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    checked = fields.Int()
    complete = fields.Int()
    incomplete = fields.Int()
    share = fields.Float(allow_none=True, metadata={"description": "complete / checked (null when none is checked)"})
    by_stage = fields.List(fields.Nested(StageFigureSchema))
    incomplete_archives = fields.List(fields.Nested(IncompleteSchema),
                                      metadata={"description": "the first 500, by organisation and name"})


class CompletenessQuerySchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the subtree's root"})
