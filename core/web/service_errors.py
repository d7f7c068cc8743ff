"""A service's English refusal, in Chinese, beside the form field it concerns.

The services speak English — to the API, the command line and the logs alike: an
:class:`~core.api.errors.ApiError` carries a sentence and the errors by field, often
marshmallow's own messages, nested (``{"items": {"0": {"weight": [...]}}}``). Every form page
shows the same refusal translated, beside the input it names. Eight screen groups once each
had their own copy of this; this module is the one mechanism, and a screen keeps only the
sentences of its own domain:

* :class:`MessageTable` — English sentences (exact, or patterns whose named groups keep the
  figures) → catalog msgids; :data:`GENERIC` is the one table of the messages every service
  shares (marshmallow's, and the decimal check of the assessment).
* :func:`translate` — a screen's tables first, then :data:`GENERIC`; a message no table
  knows is shown as the service wrote it, never hidden.
* :func:`show_errors` — an ``ApiError``'s errors beside the form's fields (a mapping renames
  the service's field names; nested keys fall back to the nearest named field), what names no
  visible field above the form, and the sentence itself when no field is named at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from core.web import versions

# A translation: a (lazy) msgid whose %(name)s are the pattern's named groups, or a function
# of those groups (for a group that needs translating itself, such as a role's name).
Rendering = object | Callable[[dict[str, str]], str]
HIDDEN = ("HiddenField", "CSRFTokenField")  # an error beside these would not be seen


@dataclass(frozen=True)
class Found:
    text: str  # the translation
    groups: dict[str, str]  # what the pattern's named groups caught


class MessageTable:
    """English sentences → msgids: ``exact`` by the whole text, then ``patterns`` (each
    matching the whole message, in order)."""

    def __init__(self, patterns: Iterable[tuple[str, Rendering]] = (),
                 exact: Mapping[str, Rendering] | None = None):
        self.exact = dict(exact or {})
        self.patterns = tuple((re.compile(pattern), rendering) for pattern, rendering in patterns)

    def find(self, message: str) -> Found | None:
        if message in self.exact:
            return Found(_render(self.exact[message], {}), {})
        for pattern, rendering in self.patterns:
            match = pattern.fullmatch(message)
            if match is not None:
                groups = {k: v for k, v in match.groupdict().items() if v is not None}
                return Found(_render(rendering, groups), groups)
        return None


def _render(rendering: Rendering, groups: dict[str, str]) -> str:
    if callable(rendering):
        return rendering(groups)
    return str(rendering) % groups if groups else str(rendering)


_N = r"(?P<n>\d+)"
_LOW, _HIGH = r"(?P<low>\S+)", r"(?P<high>\S+)"  # a number or a date

GENERIC = MessageTable(
    exact={
        "Not a valid number.": _l("Not a valid number."),
        "Not a valid integer.": _l("Not a valid whole number."),
        "Not a valid string.": _l("Not a valid text."),
        "Not a valid boolean.": _l("Not a valid yes or no."),
        "Not a valid list.": _l("Not a valid list."),
        "Not a valid tuple.": _l("Not a valid list."),
        "Not a valid mapping type.": _l("Not a valid object."),
        "Not a valid date.": _l("Not a valid date."),
        "Not a valid datetime.": _l("Not a valid date and time."),
        "Not a valid time.": _l("Not a valid time."),
        "Not a valid UUID.": _l("Not a valid identifier."),
        "Not a valid email address.": _l("Not a valid email address."),
        "Not a valid URL.": _l("Not a valid web address."),
        "Number too large.": _l("The number is too large."),
        "Special numeric values (nan or infinity) are not permitted.": _l("Not a valid number."),
        "Missing data for required field.": _l("This field is required."),
        "Field may not be null.": _l("This field is required."),
        "Unknown field.": _l("Unknown field."),
        "Invalid value.": _l("Not a valid value."),
        "Invalid input.": _l("Not a valid value."),
        "At most two decimal places.": _l("At most two decimal places."),
    },
    patterns=(
        # core.db.versioning: a stale version (someone saved the record in between)
        (r"This .+ was changed by someone else since you read it; reload and try again\.",
         versions.CONFLICT),
        (r"Stale: the .+ has changed\.", versions.CONFLICT),
        # validate.Range: both bounds (each inclusive or not) before one bound.
        (rf"Must be greater than or equal to {_LOW} and less than or equal to {_HIGH}\.",
         _l("Must be between %(low)s and %(high)s.")),
        (rf"Must be greater than {_LOW} and less than or equal to {_HIGH}\.",
         _l("Must be greater than %(low)s and at most %(high)s.")),
        (rf"Must be greater than or equal to {_LOW} and less than {_HIGH}\.",
         _l("Must be at least %(low)s and less than %(high)s.")),
        (rf"Must be greater than {_LOW} and less than {_HIGH}\.",
         _l("Must be greater than %(low)s and less than %(high)s.")),
        (rf"Must be greater than or equal to {_LOW}\.", _l("Must be at least %(low)s.")),
        (rf"Must be greater than {_LOW}\.", _l("Must be greater than %(low)s.")),
        (rf"Must be less than or equal to {_HIGH}\.", _l("Must be at most %(high)s.")),
        (rf"Must be less than {_HIGH}\.", _l("Must be less than %(high)s.")),
        (r"Must be equal to (?P<other>.+)\.", _l("Must be %(other)s.")),
        (r"Must be one of: (?P<choices>.+)\.", _l("Must be one of: %(choices)s.")),
        (r"One or more of the choices you made was not in: (?P<choices>.+)\.",
         _l("Must be one of: %(choices)s.")),
        # validate.Length: on a text or a list alike, so the wording names neither.
        (rf"Length must be between {_LOW} and {_HIGH}\.",
         _l("Must have between %(low)s and %(high)s items or characters.")),
        (rf"Length must be {_N}\.", _l("Give exactly %(n)s values.")),
        (rf"Longer than maximum length {_N}\.", _l("Too long: at most %(n)s.")),
        (rf"Shorter than minimum length {_N}\.", _l("Too short: at least %(n)s.")),
        # core.jobs: the queue away when a job is started (core.jobs.service), an attempt
        # whose process died (core.jobs.recovery) — the reason, for the log, is left out.
        (r"The job queue is unavailable \(Redis cannot be reached\): job \S+ was not started\. "
         r"Try again later\.", _l("The job queue is unavailable, so the job was not started. "
                                 "Try again later.")),
        (r"The worker running this job stopped during attempt (?P<n>\d+) \(.*\); nothing the "
         r"attempt wrote was kept\. It could not be retried: .*",
         _l("The worker running this job stopped during attempt %(n)s and nothing it wrote was "
            "kept; it could not be retried. Start it again.")),
        (r"The worker running this job stopped during attempt (?P<n>\d+) \(.*\); nothing the "
         r"attempt wrote was kept\.",
         _l("The worker running this job stopped during attempt %(n)s and nothing it wrote was "
            "kept.")),
    ),
)


def lookup(message, *tables: MessageTable) -> Found | None:
    """The first of ``tables`` (then :data:`GENERIC`) that knows ``message``."""
    text = "" if message is None else str(message)
    for table in (*tables, GENERIC):
        found = table.find(text)
        if found is not None:
            return found
    return None


def translate(message, *tables: MessageTable) -> str:
    """``message`` in the interface's language; as written when no table knows it."""
    found = lookup(message, *tables)
    return found.text if found is not None else ("" if message is None else str(message))


def flat(errors, prefix: str = "") -> dict[str, list]:
    """Nested errors by dotted name: ``{"items": {"0": {"weight": ["…"]}}}`` →
    ``{"items.0.weight": ["…"]}``; ``_schema`` names the level above, ``""`` the whole input.
    The messages are left as they are (not every message is a string)."""
    out: dict[str, list] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for field, messages in flat(value, name).items():
                out.setdefault(field, []).extend(messages)
        return out
    for message in errors if isinstance(errors, list | tuple) else [errors]:
        if isinstance(message, Mapping):
            for field, messages in flat(message, prefix).items():
                out.setdefault(field, []).extend(messages)
        elif message is not None:
            out.setdefault(prefix, []).append(message)
    return out


def add_error(field, message: str) -> None:
    """Put ``message`` beside a WTForms field (its errors may still be the initial tuple)."""
    field.errors = [*(field.errors or ()), message]


def _target(form, name: str, fields: Mapping[str, str]):
    """The visible field ``name`` (or its nearest named parent) stands for, and the rest of
    the name below it; ``(None, …)`` when it names none."""
    parts = name.split(".") if name else []
    for end in range(len(parts), 0, -1):
        head = ".".join(parts[:end])
        field_name = fields.get(head, head)
        if field_name in form and form[field_name].type not in HIDDEN:
            return form[field_name], parts[end:]
    return None, parts


def _itemised(message: str, below: list[str]) -> str:
    """``Item 2: …`` for each list index (or key) below the field, outermost first."""
    for part in reversed(below):
        number = int(part) + 1 if part.isdigit() else part
        message = gettext("Item %(n)s: %(message)s", n=number, message=message)
    return message


def place(form, errors, *tables: MessageTable, fields: Mapping[str, str] | None = None,
          itemise: bool = False) -> list[tuple[str, str]]:
    """Put ``errors`` (translated) beside the fields they name and return the others as
    ``(dotted name, message)``. ``fields`` maps a service's name (``org_id``,
    ``items.0.weight``) to the form's; an unmapped nested name falls back to its nearest
    named parent (``standard_ids.0`` → ``standard_ids``), with ``itemise`` saying which
    item of that field it is. Hidden inputs and the CSRF token are never targets."""
    fields = fields or {}
    left = []
    for name, messages in flat(errors).items():
        field, below = _target(form, name, fields)
        for message in messages:
            text = translate(message, *tables)
            if field is None:
                left.append((name, text))
            else:
                add_error(field, _itemised(text, below) if itemise else text)
    return left


def show_errors(form, exc, *tables: MessageTable, fields: Mapping[str, str] | None = None,
                itemise: bool = False, summary: bool = False) -> None:
    """Show an :class:`~core.api.errors.ApiError` on ``form``: its errors beside the fields
    (see :func:`place`), those naming no visible field above the form, and its message above
    the form when it names no field at all. ``summary``: for a service whose message is
    the whole sentence for people (:mod:`core.problems`), an error naming no visible field
    (a stale ``version``) shows that message instead of the field's terse one."""
    errors = exc.errors if isinstance(exc.errors, Mapping | list | tuple) else {}
    left = place(form, errors, *tables, fields=fields, itemise=itemise)
    if not flat(errors) or (summary and left):
        form.form_errors.append(translate(exc.message, *tables))
    elif not summary:
        form.form_errors.extend(text for _name, text in left)
