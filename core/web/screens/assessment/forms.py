"""The assessment screens' forms (Flask-WTF, CSRF included) and how a service's refusal is
shown beside the field it names.

The forms check the shape of what is typed (required, numbers, ranges) so the common
mistakes read in Chinese; the service (:mod:`core.assessment.cycles`) stays the authority and
its refusals (:class:`core.api.errors.ApiError`) are put beside the field they name.
Fields that share a page carry their own ids (``adjustment-points``, ``veto-reason`` …).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.api.errors import ApiError
from core.web import service_errors
from core.web.service_errors import MessageTable, translate

PERIOD_CHOICES = [SelectChoice("year", _l("A whole year")), SelectChoice("half", _l("A half year")),
                  SelectChoice("quarter", _l("A quarter"))]
PARTS = {"year": 1, "half": 2, "quarter": 4}
REQUIRED = _l("Fill this in.")
NOT_A_NUMBER = _l("Enter a number (at most two decimal places).")

# The cycle service's own refusals (marshmallow's messages are in the generic table).
MESSAGES = MessageTable(
    exact={
        "A published cycle cannot be run again; reopen it first.":
            _l("A published cycle cannot be run again; reopen it first."),
        "The cycle cannot be published: it has not been evaluated yet.":
            _l("The cycle cannot be published: it has not been evaluated yet."),
        "The cycle cannot be published: it is already published.":
            _l("The cycle cannot be published: it is already published."),
        "Only a published cycle can be reopened.": _l("Only a published cycle can be reopened."),
        "Say why the cycle is reopened.": _l("Say why the cycle is reopened."),
        "The cycle is published: reopen it before changing results.":
            _l("The cycle is published: reopen it before changing results."),
        "Run the cycle first: manual scores are entered on its results.":
            _l("Run the cycle first: manual scores are entered on its results."),
        "Must be between -100 and 100, and not 0.": _l("Must be between -100 and 100, and not 0."),
        "Give the reason.": _l("Give the reason."),
        "Unknown organization.": _l("Unknown organisation."),
        "Unknown standard.": _l("Unknown standard."),
        "The standard is not active.": _l("The standard is not active."),
        "The tenant has no active standard to assess with; create one first.":
            _l("The tenant has no active standard to assess with; create one first."),
    },
    patterns=(
        (r".*changed by someone else.*|Stale:.*", _l("Someone changed the cycle meanwhile; look again and retry.")),
    ),
)


def say(message: str) -> str:
    """A service message in the user's language when the catalog knows it."""
    return translate(message, MESSAGES)


def show_errors(form: FlaskForm, exc: ApiError) -> None:
    """Put ``exc``'s field errors beside the form's fields (``standard_ids.0`` → the
    ``standard_ids`` field); the rest, and the message when no field is named, above the
    form."""
    service_errors.show_errors(form, exc, MESSAGES)


class PointsField(DecimalField):
    """A decimal that must be a finite number ("NaN" and "Infinity" parse as decimals)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(NOT_A_NUMBER))


class CycleForm(FlaskForm):
    """Open a cycle: ``POST /api/v1/cycles``'s fields."""

    name = StringField(_l("Cycle name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    period = SelectField(_l("Assessment period"), choices=PERIOD_CHOICES, default="year")
    year = IntegerField(_l("Year of the cycle"), default=lambda: date.today().year, validators=[
        InputRequired(REQUIRED), NumberRange(2000, 2100, _l("A year from 2000 to 2100."))])
    part = IntegerField(_l("Which half or quarter"), default=1, validators=[
        InputRequired(REQUIRED), NumberRange(1, 4, _l("1 for a year, 1–2 for a half, 1–4 for a quarter."))])
    root_org_id = SelectField(_l("Organisation assessed (with everything below it)"),
                              validators=[DataRequired(REQUIRED)])
    standard_ids = SelectMultipleField(
        _l("Standards (none ticked: every active standard)"),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[Optional()], validate_choice=True,
    )

    def validate_part(self, field):
        parts = PARTS.get(self.period.data)
        if parts is not None and field.data is not None and field.data > parts:
            raise ValidationError(gettext("This period has parts 1 to %(n)s.", n=parts))


class ActionForm(FlaskForm):
    """A button: run, publish, withdraw. ``version`` is the cycle's version as read."""

    version = HiddenField()


class ReopenForm(ActionForm):
    reason = TextAreaField(_l("Why it is reopened"), id="reopen-reason",
                           validators=[DataRequired(REQUIRED), Length(max=2000)])


def _two_places(value) -> bool:
    return value == value.quantize(value.__class__("0.01"))


class ManualForm(FlaskForm):
    """A manual indicator's score (0 … its weight) with the reason."""

    points = PointsField(_l("Score given"), places=2, validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason for the score"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    version = HiddenField()  # the score's as shown, 0: none yet (core.web.versions)

    def __init__(self, *args, weight=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.weight = weight

    def validate_points(self, field):
        if field.data is None:
            return  # not a number: said already
        if not _two_places(field.data):
            raise ValidationError(str(NOT_A_NUMBER))
        top = self.weight if self.weight is not None else 100
        if not 0 <= field.data <= top:
            raise ValidationError(gettext("Between 0 and %(weight)s (the indicator's full score).",
                                          weight=top))


class AdjustmentForm(FlaskForm):
    """加减分: ± points with the reason."""

    points = PointsField(_l("Points added (negative to deduct)"), places=2, id="adjustment-points",
                         validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason for the adjustment"), id="adjustment-reason",
                           validators=[DataRequired(REQUIRED), Length(max=2000)])

    def validate_points(self, field):
        if field.data is None:
            return
        if not _two_places(field.data):
            raise ValidationError(str(NOT_A_NUMBER))
        if field.data == 0 or abs(field.data) > 100:
            raise ValidationError(str(_l("Must be between -100 and 100, and not 0.")))


class VetoForm(FlaskForm):
    """一票否决: one of the tenant's veto reasons, and the case in the assessor's words."""

    reason = SelectField(_l("Veto reason"), id="veto-reason", validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("The case"), id="veto-note", validators=[Optional(), Length(max=2000)])
    version = HiddenField()  # the veto's as shown, 0: none yet (core.web.versions)
