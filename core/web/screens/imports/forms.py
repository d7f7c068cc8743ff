"""The forms of the import and export pages (labels are catalog msgids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField

from core.excel.importer import ALL_OR_NOTHING, VALID_ROWS_ONLY

MODE_CHOICES = [
    (ALL_OR_NOTHING, _l("All or nothing: if any row is wrong, nothing is imported")),
    (VALID_ROWS_ONLY, _l("Valid rows only: import the correct rows, skip and list the wrong ones")),
]


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"),
                     validators=[FileRequired(_l("Choose the .xlsx file to import."))])
    mode = RadioField(_l("When some rows are wrong"), choices=MODE_CHOICES, default=ALL_OR_NOTHING)


class ExportForm(FlaskForm):
    """A download (GET, no CSRF: it changes nothing). Any organisation the user sees may be
    asked for by id (``?org=`` from a link); the list offers the upper levels."""

    class Meta:
        csrf = False

    org = SelectField(_l("Organisation to export"), validate_choice=False)


class MemberExportForm(ExportForm):
    include_former = BooleanField(_l("Also members transferred out, deceased or gone"))
