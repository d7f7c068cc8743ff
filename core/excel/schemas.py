"""Request shapes of the import and export API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.excel.importer import ALL_OR_NOTHING, MODES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODE_DESCRIPTION = (
    "all_or_nothing (default): any bad row and nothing is written; valid_rows_only: the "
    "valid rows are written and the bad ones reported. Also accepted as a form field."
)


class ImportFileSchema(ma.Schema):
    """The multipart body: the workbook (and, optionally, ``mode`` as a form field)."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "The .xlsx workbook"},
    )
    mode = fields.Str(
        load_default=None,
        validate=validate.OneOf(MODES),
        metadata={"description": MODE_DESCRIPTION},
    )


class ImportQuerySchema(ma.Schema):
    mode = fields.Str(
        load_default=None, validate=validate.OneOf(MODES), metadata={"description": MODE_DESCRIPTION}
    )


class ModeSchema(ma.Schema):
    mode = fields.Str(load_default=ALL_OR_NOTHING, validate=validate.OneOf(MODES))


class ExportQuerySchema(ma.Schema):
    subtree_of = fields.UUID(
        load_default=None,
        metadata={"description": "Export this organisation and everything below it "
                                 "(default: every organisation the user sees)"},
    )


class MemberExportQuerySchema(ExportQuerySchema):
    include_former = fields.Bool(
        load_default=False,
        metadata={"description": "Also members transferred out, deceased or gone "
                                 "(default: only 预备, 正式, 流动 and 失联 members)"},
    )
