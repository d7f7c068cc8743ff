"""Forms of the secretaries' review pages (Flask-WTF: CSRF on every POST form; the filter
form is a GET form without a token). Labels are msgids of ``reviews.po``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.reviews.models import (
    CYCLE_STATE_LABELS,
    CYCLE_STATES,
    ITEM_KIND_LABELS,
    RATING_LABELS,
    RATINGS,
)

ANY = ("", _l("All"))


class ReviewFilterForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    state = SelectField(_l("State"), choices=[ANY, *((s, CYCLE_STATE_LABELS[s]) for s in CYCLE_STATES)],
                        validators=[Optional()])


class ReviewCycleForm(FlaskForm):
    """Open a review: the reviewing organisation (its code) and the year."""

    org_code = StringField(_l("Reviewing organisation (code)"), validators=[DataRequired(), Length(max=64)])
    year = IntegerField(_l("Year under review"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])


class ReviewStepForm(FlaskForm):
    version = HiddenField()


class ReviewPublishForm(FlaskForm):
    """Publish a subtree's results: ``org`` choices are the organisations the user manages
    in the cycle (set by the view)."""

    version = HiddenField()
    org = SelectField(_l("Publish the results of"), choices=[], validators=[DataRequired()])


class ReviewReportForm(FlaskForm):
    version = HiddenField()
    report = TextAreaField(_l("Report (述职报告)"), validators=[Optional(), Length(max=50_000)])


class ReviewItemForm(FlaskForm):
    """Add an item; ``kind`` choices depend on who adds it (set by the view)."""

    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in ITEM_KIND_LABELS.items()],
                       validators=[DataRequired()])
    title = StringField(_l("Commitment or task"), validators=[DataRequired(), Length(max=500)])


class ReviewItemOutcomeForm(FlaskForm):
    version = HiddenField()
    done = SelectField(_l("Outcome"), choices=[("", _l("Not reported yet")), ("yes", _l("Done")),
                                               ("no", _l("Not done"))], validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=5_000)])


class ReviewAttachmentForm(FlaskForm):
    file = FileField(_l("File (PDF, JPG, PNG, DOCX or XLSX)"))


class ReviewRatingForm(FlaskForm):
    version = HiddenField()
    rating = SelectField(_l("Your rating"), choices=[(r, RATING_LABELS[r]) for r in RATINGS],
                         validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ReviewDeleteForm(FlaskForm):
    """A button that removes something (the CSRF token only)."""
