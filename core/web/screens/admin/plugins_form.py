"""A form generated from a marshmallow schema: plugin settings and warning-rule parameters.

Each field of the schema becomes one input showing the value in effect, its Chinese label,
a hint (the field's description and default) and — when the tenant overrides it — a
"back to the inherited value" checkbox. Submitting turns the inputs back into the overrides
dict the service takes: a field left as it was keeps its current override (or none), a
changed field becomes an override, a ticked reset drops the override. The service
validates (the schema is the only judge); its field errors are shown beside the inputs.

Values travel as text: lists one item per line, objects as JSON, booleans as yes/no.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import Schema
from marshmallow import fields as mf
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from core.web.screens.admin import plugins_labels
from core.web.service_errors import MessageTable, place

CJK = re.compile(r"[\u4e00-\u9fff]")
BRACKETS = re.compile(r"[(（]([^()（）]+)[)）]")
WORDS = re.compile(r"[A-Za-z]{4,}")  # an English phrase: not a hint for Chinese readers
YES_NO = [("true", _l("Yes")), ("false", _l("No"))]


def input_keys(schema: Schema) -> dict[str, str]:
    """Input key (``data_key`` or name) → attribute name, for the loadable fields."""
    return {(f.data_key or name): name for name, f in schema.fields.items() if not f.dump_only}


def _kind(f: mf.Field) -> str:
    if isinstance(f, mf.Boolean):
        return "bool"
    if isinstance(f, mf.List):
        inner = f.inner
        return "json_list" if isinstance(inner, mf.Nested | mf.Dict | mf.Raw | mf.List) else "list"
    if isinstance(f, mf.Nested | mf.Dict | mf.Raw):
        return "json"
    return "text"


def display(value, kind: str) -> str:
    """The text an input shows for ``value``."""
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "list":
        return "\n".join(_scalar(item) for item in value)
    if kind == "json_list":
        return "\n".join(json.dumps(item, ensure_ascii=False, default=str) for item in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return _scalar(value)


def shown(value, kind: str) -> str:
    """``value`` for reading (not for an input): yes/no, lists joined."""
    if value is None:
        return ""
    if kind == "bool":
        return str(_("Yes") if value else _("No"))
    if kind == "list":
        return "、".join(_scalar(item) for item in value)
    return display(value, kind)


def _scalar(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def _normal(raw: str, kind: str) -> str:
    if kind in ("list", "json_list"):
        return "\n".join(_lines(raw))
    return (raw or "").strip()


class ParseError(ValueError):
    """A value the form could not turn into the setting's type (shown beside the field)."""


def parse(raw: str, kind: str, f: mf.Field):
    """The value to hand the schema for the text ``raw`` (the schema still validates it)."""
    raw = raw or ""
    if kind == "bool":
        return raw == "true"
    if kind == "list":
        return _lines(raw)
    try:
        if kind == "json_list":
            return [json.loads(line) for line in _lines(raw)]
        if kind == "json":
            return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise ParseError(_("Not valid JSON.")) from None
    text = raw.strip()
    if text == "" and f.allow_none:
        return None
    return text


@dataclass
class Setting:
    """One row of the form: the schema field, what is in effect and where it comes from."""

    key: str
    attr: str
    field: mf.Field
    kind: str
    value: object
    source: str  # default, global or tenant
    default: object
    label: str = ""
    hint: str = ""
    reset_name: str = field(default="")


def _hint(key: str, f: mf.Field) -> str:
    """A Chinese hint: the declaration's description when it is Chinese, else the Chinese
    terms it quotes in brackets, with our own note for the key."""
    description = f.metadata.get("description") or ""
    if CJK.match(description):
        chinese = description
    else:
        chinese = "；".join(part for part in BRACKETS.findall(description)
                           if CJK.search(part) and not WORDS.search(part))
    own = plugins_labels.hint(key)
    return " ".join(part for part in (chinese, str(own) if own is not None else "") if part)


def settings_rows(schema: Schema, explained: dict, defaults: dict) -> list[Setting]:
    """Rows for ``explained`` (attribute → (value, source)) in the schema's field order."""
    rows = []
    for key, attr in input_keys(schema).items():
        if attr not in explained:
            continue
        f = schema.fields[attr]
        value, source = explained[attr]
        rows.append(Setting(
            key=key, attr=attr, field=f, kind=_kind(f), value=value, source=source,
            default=defaults.get(attr), label=str(plugins_labels.label(key)), hint=_hint(key, f),
            reset_name=f"reset__{key}",
        ))
    return rows


def build_form(rows: list[Setting], version: int | None = None) -> FlaskForm:
    """A FlaskForm with one input per row (named by the setting's key) and reset boxes;
    with ``version``, the hidden version of the row the settings are kept in
    (:mod:`core.web.versions`)."""

    class SettingsForm(FlaskForm):
        """One field per setting, added below."""

    if version is not None:
        SettingsForm.version = HiddenField(default=version)

    for row in rows:
        kwargs = {"label": row.label, "default": display(row.value, row.kind)}
        if row.kind == "bool":
            unbound = SelectField(choices=YES_NO, **kwargs)
        elif row.kind in ("list", "json_list", "json"):
            unbound = TextAreaField(**kwargs)
        else:
            unbound = StringField(**kwargs)
        setattr(SettingsForm, row.key, unbound)
        if row.source == "tenant":
            setattr(SettingsForm, row.reset_name,
                    BooleanField(_l("Back to the inherited value")))
    return SettingsForm()  # the request's form data on a POST, the defaults otherwise


def overrides_from(form: FlaskForm, rows: list[Setting], current: dict) -> tuple[dict, dict]:
    """``(overrides, errors)``: the tenant's overrides after this submission, and the
    inputs that could not even be read (bad JSON), by key."""
    overrides = dict(current)
    errors = {}
    for row in rows:
        reset = getattr(form, row.reset_name, None)
        if reset is not None and reset.data:
            overrides.pop(row.key, None)
            continue
        raw = form[row.key].data
        if _normal(raw, row.kind) == _normal(display(row.value, row.kind), row.kind):
            continue  # untouched: keep what is there (an override or none)
        try:
            overrides[row.key] = parse(raw, row.kind, row.field)
        except ParseError as exc:
            errors[row.key] = [str(exc)]
    return overrides, errors


# The point rules' and plugin settings' own sentences (marshmallow's are in the generic
# table of core.web.service_errors).
MESSAGES = MessageTable(exact={
    "Must not be 0.": _l("Must not be 0."),
    "Already exists.": _l("Already exists."),
    "Must keep the rule's sign.": _l("Must keep the rule's sign (a deduction stays negative)."),
    "Must be positive (or null for no cap).": _l("Must be positive (or empty for no cap)."),
})


def place_errors(form: FlaskForm, errors: dict, prefix: str = "") -> list[str]:
    """Put the service's field errors beside the inputs (``prefix`` is the service's for
    them, e.g. ``params.``; a list's item is said as ``Item 2: …``); returns those that fit
    no input, named, to be shown above the form."""
    fields = {f"{prefix}{field.short_name}": field.short_name for field in form} if prefix else None
    left = place(form, errors, MESSAGES, fields=fields, itemise=True)
    return [f"{name.removeprefix(prefix)}: {text}" if name else text for name, text in left]
