"""Forms of the problems ledger and the warnings pages (Flask-WTF: CSRF on every POST form;
the filter forms are GET forms without a token), and :func:`show_errors`, which puts a
service's :class:`~core.api.errors.ApiError` beside the fields it names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.api.errors import ApiError
from core.problems.models import (
    SEVERITIES,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    SOURCES,
    STATUS_LABELS,
    STATUSES,
)
from core.web import service_errors

ANY = ("", _l("All"))
# A problem recorded by hand comes from anywhere but a warning (that is the warning's page).
MANUAL_SOURCES = [(s, SOURCE_LABELS[s]) for s in SOURCES if s != "warning"]
SEVERITY_CHOICES = [(s, SEVERITY_LABELS[s]) for s in SEVERITIES]


class ProblemFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("State"), choices=[ANY, *((s, STATUS_LABELS[s]) for s in STATUSES)],
                         validators=[Optional()])
    overdue = SelectField(_l("Overdue"), choices=[ANY, ("yes", _l("Overdue only")),
                                                  ("no", _l("Not overdue"))], validators=[Optional()])
    source = SelectField(_l("Source"), choices=[ANY, *((s, SOURCE_LABELS[s]) for s in SOURCES)],
                         validators=[Optional()])
    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])


class ProblemForm(FlaskForm):
    """Record a problem by hand; ``category`` choices are the tenant's (set by the view)."""

    org_code = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=64)])
    source = SelectField(_l("Source"), choices=MANUAL_SOURCES, validators=[DataRequired()])
    source_ref = StringField(_l("Reference (document number, cycle)"), validators=[Optional(), Length(max=100)])
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    title = StringField(_l("Problem"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES, default="general")
    found_on = DateField(_l("Found on"), validators=[Optional()])
    deadline = DateField(_l("Deadline for rectification"), validators=[InputRequired()])
    responsible_name = StringField(_l("Person responsible"), validators=[Optional(), Length(max=50)])


class FromWarningForm(FlaskForm):
    """A problem raised from a warning: every field defaults from the warning and the
    tenant's settings (set by the view)."""

    title = StringField(_l("Problem"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES, default="general")
    deadline = DateField(_l("Deadline for rectification"), validators=[InputRequired()])
    responsible_name = StringField(_l("Person responsible"), validators=[Optional(), Length(max=50)])


class EditProblemForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Problem"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES)
    deadline = DateField(_l("Deadline for rectification"), validators=[InputRequired()])
    deadline_reason = TextAreaField(_l("Reason for a new deadline"), validators=[Optional(), Length(max=2000)])
    responsible_name = StringField(_l("Person responsible"), validators=[Optional(), Length(max=50)])


class ActionForm(FlaskForm):
    """A workflow form of the problem page. Several share one page, so each has a prefix
    (unique ids and labels); the CSRF token is the page's own ``csrf_token`` input, which
    the app-wide ``CSRFProtect`` checks before any view runs (a prefixed token field would
    not be the name it looks for first)."""

    class Meta:
        csrf = False


class StepForm(ActionForm):
    """开始整改 and 审核销号: an optional comment."""

    version = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class SubmitForm(ActionForm):
    version = HiddenField()
    rectification = TextAreaField(_l("Rectification measures"), validators=[Optional(), Length(max=20_000)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ReasonForm(ActionForm):
    """退回整改: the reason is required."""

    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ReopenForm(ReasonForm):
    deadline = DateField(_l("New deadline (optional)"), validators=[Optional()])


class EvidenceForm(ActionForm):
    """佐证材料: a text, a file (pdf, jpg/png, docx/xlsx; checked by content), or both."""

    text = TextAreaField(_l("Written evidence"), validators=[Optional(), Length(max=20_000)])
    file = FileField(_l("File (PDF, JPG, PNG, DOCX or XLSX)"))


class DeleteForm(FlaskForm):
    """A button that removes something (the CSRF token only)."""


class WarningFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=[("open", _l("Open")), ("resolved", _l("Resolved"))],
                        default="open", validators=[Optional()])
    rule = SelectField(_l("Rule"), choices=[], validators=[Optional()])
    severity = SelectField(_l("Severity"), choices=[], validators=[Optional()])
    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])


class AcknowledgeForm(FlaskForm):
    version = HiddenField()  # the warning's acknowledgement count, as shown
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


def version_of(form) -> int | None:
    """The ``version`` the page was read at (a hidden field), if it is a number."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError, AttributeError):
        return None


def show_errors(form, exc: ApiError, aliases: dict | None = None) -> None:
    """Put ``exc``'s field errors beside ``form``'s fields (``aliases`` maps a service's
    field name to the form's); an error naming no visible field of the form (a stale
    ``version``, a conflict) shows the service's whole message above the form — the
    problems service words its messages for people, its field errors tersely."""
    service_errors.show_errors(form, exc, fields=aliases, summary=True)
