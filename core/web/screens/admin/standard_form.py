"""The form of a standard's items, generated from each indicator's parameter schema.

One row per item: its points (weight), its parameters — an input per field of the
indicator's marshmallow schema: a choice list for ``OneOf``, checkboxes for a list of
choices, a checkbox for a yes/no, ``key=value`` lines for a mapping, a text box otherwise —
and a "remove" box. The rows come from the current version (GET), plus indicators being
added (``?add=<key>``), or from the posted hidden keys (POST), so a preview or an error
re-renders exactly what was sent. The values go to the standards service as they were
typed: the indicator's schema and the service validate them (no rule is repeated here), and
their errors come back beside the inputs they name (``items.2.params.target``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import fields as ma_fields
from marshmallow import missing, validate
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.assessment.indicators import Indicator
from core.web.service_errors import add_error

MAX_ROWS = 100


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (keyboard usable, each with its label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass
class Param:
    name: str
    input: str  # the form field's name
    kind: str  # number | text | choice | choices | list | flag | mapping
    label: str


@dataclass
class Row:
    """One item of the standard in the form."""

    n: int
    key: str
    indicator: Indicator | None
    params: list[Param] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.indicator.name if self.indicator is not None else self.key

    @property
    def weight(self) -> str:
        return f"w{self.n}"

    @property
    def remove(self) -> str:
        return f"rm{self.n}"

    @property
    def hidden(self) -> str:
        return f"k{self.n}"


def _choices(mfield) -> list[str] | None:
    for validator in getattr(mfield, "validators", ()):
        if isinstance(validator, validate.OneOf):
            return [str(choice) for choice in validator.choices]
    return None


def _kind(mfield) -> str:
    if isinstance(mfield, ma_fields.Boolean):
        return "flag"
    if isinstance(mfield, ma_fields.List):
        return "choices" if _choices(mfield.inner) else "list"
    if isinstance(mfield, ma_fields.Dict):
        return "mapping"
    if _choices(mfield):
        return "choice"
    if isinstance(mfield, ma_fields.Number):
        return "number"
    return "text"


def schema_fields(indicator: Indicator | None) -> dict:
    if indicator is None or indicator.params is None:
        return {}
    return {name: f for name, f in indicator.params().fields.items() if not f.dump_only}


def build_rows(keys: list[str], indicators: dict[str, Indicator]) -> list[Row]:
    rows = []
    for n, key in enumerate(keys[:MAX_ROWS]):
        indicator = indicators.get(key)
        row = Row(n, key, indicator)
        for name, mfield in schema_fields(indicator).items():
            label = (mfield.metadata or {}).get("description") or name
            row.params.append(Param(name, f"p{n}_{name}", _kind(mfield), label))
        rows.append(row)
    return rows


def _wtf_field(param: Param, mfield):
    label = param.label
    if param.kind == "flag":
        return BooleanField(label)
    if param.kind == "choices":
        choices = _choices(mfield.inner)
        return CheckboxesField(label, choices=[(c, c) for c in choices], validate_choice=False)
    if param.kind == "choice":
        return SelectField(label, choices=[(c, c) for c in _choices(mfield)], validate_choice=False)
    if param.kind == "mapping":
        return TextAreaField(label, description=_l("One per line: item=value"))
    if param.kind == "list":
        return StringField(label, description=_l("Separate the values with commas"))
    return StringField(label)


def form_class(rows: list[Row]) -> type[FlaskForm]:
    """A form class for these rows (a new class each time: the rows differ per standard)."""

    class StandardItemsForm(FlaskForm):
        note = StringField(_l("Why this change (kept with the new version)"),
                           validators=[Optional(), Length(max=2000)])
        edit_version = HiddenField()  # the standard's, when the page was opened (core.web.versions)

    for row in rows:
        setattr(StandardItemsForm, row.hidden, HiddenField(default=row.key))
        setattr(StandardItemsForm, row.weight,
                StringField(_("%(name)s points", name=row.name), validators=[Length(max=20)]))
        fields_by_name = schema_fields(row.indicator)
        for param in row.params:
            setattr(StandardItemsForm, param.input, _wtf_field(param, fields_by_name[param.name]))
        setattr(StandardItemsForm, row.remove, BooleanField(_("Remove %(name)s", name=row.name)))
    return StandardItemsForm


def _number_text(value) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
    return str(value)


def initial_values(rows: list[Row], weights: dict[str, Decimal], params: dict[str, dict]) -> dict:
    """The form's data for these rows: each item's weight and effective parameters."""
    data = {}
    for row in rows:
        data[row.hidden] = row.key
        data[row.weight] = _number_text(weights.get(row.key))
        values = params.get(row.key, {})
        for param in row.params:
            value = values.get(param.name)
            if param.kind == "flag":
                data[param.input] = bool(value)
            elif param.kind == "choices":
                data[param.input] = [str(v) for v in value or ()]
            elif param.kind == "list":
                data[param.input] = ", ".join(_number_text(v) for v in value or ())
            elif param.kind == "mapping":
                data[param.input] = "\n".join(f"{k}={_number_text(v)}" for k, v in (value or {}).items())
            else:
                data[param.input] = _number_text(value)
    return data


EMPTY = object()  # a parameter left blank: not sent, so its default applies


def _parsed(param: Param, raw):
    """The value to send for a parameter, :data:`EMPTY` when it is left blank (the
    indicator's default applies — a default read from plugin settings renders blank), or
    ``ValueError`` with the reason."""
    if param.kind in ("flag", "choices"):
        return raw
    text = (raw or "").strip()
    if not text and param.kind not in ("list", "mapping"):
        return EMPTY
    if param.kind == "list":
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    if param.kind == "mapping":
        mapping = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            key, sep, value = line.replace("＝", "=").partition("=")
            if not sep or not key.strip():
                raise ValueError(_("Write each line as item=value."))
            mapping[key.strip()] = value.strip()
        return mapping
    return text


def submitted_items(form, rows: list[Row]) -> tuple[list[dict], list[int]]:
    """The items as the service takes them and, for each, the row it came from. A parameter
    that cannot even be read (a mapping line without ``=``) gets its error here and is left
    out, so the service still reports everything else."""
    items, positions = [], []
    for row in rows:
        if form[row.remove].data:
            continue
        params = {}
        for param in row.params:
            try:
                value = _parsed(param, form[param.input].data)
            except ValueError as exc:
                add_error(form[param.input], str(exc))
                continue
            if value is not EMPTY:
                params[param.name] = value
        items.append({"indicator": row.key, "weight": (form[row.weight].data or "").strip(),
                      "params": params})
        positions.append(row.n)
    return items, positions


def error_fields(rows: list[Row], positions: list[int]) -> dict[str, str]:
    """The service's names of the items sent (``items.<m>…``, the m-th sent being row
    ``positions[m]``) → the inputs showing their errors: a parameter beside its input (an
    unknown one, or the parameters as a whole, beside the first), anything else about the
    item — its weight, its indicator, the item as a whole — beside its points."""
    by_n = {row.n: row for row in rows}
    fields = {}
    for m, n in enumerate(positions):
        row = by_n[n]
        fields[f"items.{m}"] = row.weight
        if row.params:
            fields[f"items.{m}.params"] = row.params[0].input
        for param in row.params:
            fields[f"items.{m}.params.{param.name}"] = param.input
    return fields


def defaults_of(indicator: Indicator) -> dict:
    """An indicator's default parameters (for a row being added)."""
    values = {}
    for name, mfield in schema_fields(indicator).items():
        default = mfield.load_default
        if default is missing:
            continue
        values[name] = default() if callable(default) else default
    return values
