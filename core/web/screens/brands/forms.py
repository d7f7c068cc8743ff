"""Forms of the brand pages (Flask-WTF: CSRF on every POST form; the filter forms are GET
forms without a token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.brands.models import LEVEL_LABELS, LEVELS, STATUS_LABELS, STATUSES

ANY = ("", _l("All"))
LEVEL_CHOICES = [(level, LEVEL_LABELS[level]) for level in LEVELS]


class BrandFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words in the name, theme or concept"), validators=[Optional(), Length(max=100)])
    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])


class BrandForm(FlaskForm):
    """A brand's content; ``org_code`` only when creating (the view removes it on edits)."""

    version = HiddenField()
    org_code = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Brand name"), validators=[DataRequired(), Length(max=100)])
    theme = StringField(_l("Party-building theme"), validators=[Optional(), Length(max=200)])
    concept = TextAreaField(_l("Concept"), validators=[Optional(), Length(max=20_000)])
    theory = TextAreaField(_l("Theoretical basis"), validators=[Optional(), Length(max=20_000)])
    methods = TextAreaField(_l("Methods"), validators=[Optional(), Length(max=20_000)])
    carriers = TextAreaField(_l("Activity carriers"), validators=[Optional(), Length(max=20_000)])
    goals = TextAreaField(_l("Goals"), validators=[Optional(), Length(max=20_000)])
    started_on = DateField(_l("Started on"), validators=[Optional()])
    parent = SelectField(_l("Parent brand (for a sub-brand)"), choices=[], validators=[Optional()])


class CaseForm(FlaskForm):
    title = StringField(_l("Case title"), validators=[DataRequired(), Length(max=200)])
    happened_on = DateField(_l("Date"), validators=[InputRequired()])
    text = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=50_000)])


class DeleteForm(FlaskForm):
    """A button that removes something (the CSRF token only)."""


class SiteFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("State"), choices=[ANY, *((s, STATUS_LABELS[s]) for s in STATUSES)],
                         validators=[Optional()])
    level = SelectField(_l("Level"), choices=[ANY, *LEVEL_CHOICES], validators=[Optional()])
    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])


class SiteForm(FlaskForm):
    """An application; one answer field per criterion is added by the view."""

    org_code = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=64)])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[DataRequired()])
    year = IntegerField(_l("Selection year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    statement = TextAreaField(_l("Statement of the work done"), validators=[Optional(), Length(max=20_000)])


class ActionForm(FlaskForm):
    """A workflow form of the application page (several on one page, each with a prefix; the
    page's own ``csrf_token`` input is checked app-wide)."""

    class Meta:
        csrf = False


class StepForm(ActionForm):
    version = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ReasonForm(ActionForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class AwardForm(StepForm):
    title = StringField(_l("Title awarded (default: year and level)"), validators=[Optional(), Length(max=200)])
    award_year = IntegerField(_l("Award year"), validators=[Optional(), NumberRange(min=2000, max=2100)])


class ObjectionForm(ActionForm):
    text = TextAreaField(_l("Objection received"), validators=[DataRequired(), Length(max=5000)])
    received_on = DateField(_l("Received on"), validators=[Optional()])


class SettleForm(ActionForm):
    version = HiddenField()
    upheld = BooleanField(_l("The objection is upheld"))
    resolution = TextAreaField(_l("What the check found"), validators=[DataRequired(), Length(max=5000)])


class ReviewForm(ActionForm):
    version = HiddenField()
    passed = SelectField(_l("Re-review result"), choices=[("yes", _l("Passed: the title stays")),
                                                ("no", _l("Failed: the title is withdrawn"))],
                         validators=[DataRequired()])
    comment = TextAreaField(_l("Comment (required when failed)"), validators=[Optional(), Length(max=2000)])


class OpenReviewsForm(FlaskForm):
    year = IntegerField(_l("Re-review year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])


class CoverageForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(_l("Organisation code"), validators=[Optional(), Length(max=64)])
