"""The form of a tenant's own simple indicator (自定义指标): a score given by hand, or a
threshold on a number the organisations keep among their attributes. Created through
:func:`core.assessment.custom.create_custom`, whose errors come back beside the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from core.api.errors import ApiError
from core.assessment import custom
from core.assessment.indicators import ORG_KINDS
from core.web import labels
from core.web.screens.admin.service_messages import MESSAGES
from core.web.screens.admin.standard_form import CheckboxesField
from core.web.service_errors import show_errors


class CustomIndicatorForm(FlaskForm):
    name = StringField(_l("Indicator name"), validators=[Length(max=200)])
    slug = StringField(_l("Code (lowercase letters, digits, _)"), validators=[Length(max=60)],
                       description=_l("The indicator's key becomes custom.<code>; it cannot change later."))
    scoring = SelectField(_l("How it is scored"), choices=[
        ("manual", _l("Scored by hand during the review")),
        ("threshold", _l("Threshold on an organisation attribute")),
    ])
    max_points = StringField(_l("Default points"), validators=[Length(max=20)])
    attribute = StringField(_l("Attribute read (threshold only)"), validators=[Length(max=64)],
                            description=_l("The name of a number in the organisations' sector data, e.g. collective_income_wan"))
    op = SelectField(_l("Comparison (threshold only)"), choices=[
        (">=", _l("At least the target")), ("<=", _l("At most the target"))])
    target = StringField(_l("Target (threshold only)"), validators=[Length(max=32)])
    unit = StringField(_l("Unit of the value"), validators=[Length(max=16)])
    kinds = CheckboxesField(_l("Organisation kinds (none: every kind)"), validate_choice=False)
    sectors = CheckboxesField(_l("Sectors (none: every sector)"), validate_choice=False)
    description = TextAreaField(_l("What it rewards"), validators=[Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core.orgs.sectors import enabled_sector_keys

        self.kinds.choices = [(kind, str(labels.kind(kind))) for kind in ORG_KINDS]
        self.sectors.choices = [(key, labels.sector(key)) for key in sorted(enabled_sector_keys())]


def create_from(form: CustomIndicatorForm):
    """The new indicator (flushed), or ``None`` with the service's errors beside the
    fields (``form.conflict`` set when the code is taken)."""
    threshold = form.scoring.data == "threshold"
    text = {name: (form[name].data or "").strip() for name in ("attribute", "target", "unit", "description")}
    try:
        return custom.create_custom(
            slug=(form.slug.data or "").strip(), name=form.name.data or "", scoring=form.scoring.data,
            max_points=(form.max_points.data or "").strip(),
            attribute=(text["attribute"] or None) if threshold else None,
            op=form.op.data if threshold else ">=",
            target=(text["target"] or None) if threshold else None,
            sectors=list(form.sectors.data or ()), kinds=list(form.kinds.data or ()),
            unit=text["unit"], description=text["description"] or None,
        )
    except ApiError as exc:
        form.conflict = exc.status == 409
        show_errors(form, exc, MESSAGES)
        return None
