"""The services' validation messages (English, as the API answers them) in Chinese, for the
admin forms: a message the table knows is translated with its figures kept, any other is
shown as the service said it (never hidden). Also the flattening of nested error dicts into
``dotted.field`` names the forms map back to their inputs."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_NUMBER = r"-?\d+(?:\.\d+)?"

MESSAGES = [
    (r"Not a valid number\.", _l("Not a valid number.")),
    (r"Not a valid integer\.", _l("Not a valid whole number.")),
    (r"Not a valid string\.|Not a valid text\.", _l("Not a valid text.")),
    (r"Not a valid boolean\.", _l("Not a valid yes or no.")),
    (r"Not a valid list\.", _l("Not a valid list.")),
    (r"Missing data for required field\.|Field may not be null\.", _l("Required.")),
    (r"Must be greater than 0\.", _l("Must be greater than 0.")),
    (r"Must be at most 100\.", _l("Must be at most 100.")),
    (r"Must be greater than 0 and at most 100\.", _l("Must be greater than 0 and at most 100.")),
    (r"At most two decimal places\.", _l("At most two decimal places.")),
    (rf"Must be greater than or equal to (?P<low>{_NUMBER}) and less than or equal to (?P<high>{_NUMBER})\.",
     _l("Must be between %(low)s and %(high)s.")),
    (rf"Must be greater than or equal to (?P<low>{_NUMBER})\.", _l("Must be at least %(low)s.")),
    (rf"Must be less than or equal to (?P<high>{_NUMBER})\.", _l("Must be at most %(high)s.")),
    (r"Must be one of: (?P<choices>.+)\.", _l("Must be one of: %(choices)s.")),
    (r"Length must be (?P<n>\d+)\.", _l("Give exactly %(n)s values.")),
    (r"Longer than maximum length (?P<n>\d+)\.", _l("At most %(n)s characters.")),
    (r"Shorter than minimum length (?P<n>\d+)\.", _l("At least %(n)s characters.")),
    (r"Contains a NUL character\.", _l("Contains a character that is not allowed.")),
    (rf"The weights must add up to exactly 100 \(they add up to (?P<total>{_NUMBER})\)\.",
     _l("The points must add up to exactly 100 (they add up to %(total)s).")),
    (r"Give at least one indicator\.", _l("Keep at least one indicator.")),
    (r"Unknown indicator '(?P<key>[^']+)' \(or its plugin is not enabled\)\.",
     _l("Unknown indicator %(key)s (or its plugin is not enabled).")),
    (r"Indicator '(?P<key>[^']+)' is given twice\.", _l("Indicator %(key)s is given twice.")),
    (r"Custom indicator '(?P<key>[^']+)' is deactivated: it cannot be added to a standard\.",
     _l("Custom indicator %(key)s is deactivated: it cannot be added to a standard.")),
    (r"Indicator applies only to .+", _l("This indicator does not apply to the sectors or kinds this standard rates.")),
    (r"This indicator has no parameters\.", _l("This indicator has no parameters.")),
    (r"Unknown field\.", _l("Unknown field.")),
    (r"The thresholds must go strictly down: five stars first\.",
     _l("The thresholds must go strictly down: five stars highest.")),
    (r"A veto reason is listed twice\.", _l("A veto reason is listed twice.")),
    (r"Not a valid formula.*", _l("Not a valid formula.")),
    (r"Unknown names: (?P<names>[^(]+) \(allowed: (?P<allowed>.+)\)\.",
     _l("Unknown names: %(names)s (allowed: %(allowed)s).")),
    (r"Unknown functions: (?P<names>[^(]+) \(allowed: (?P<allowed>.+)\)\.",
     _l("Unknown functions: %(names)s (allowed: %(allowed)s).")),
    (r"The formula divides by zero\.", _l("The formula divides by zero.")),
    (r"The formula must give a number\.", _l("The formula must give a number.")),
    (r"2–60 lowercase letters, digits or _, starting with a letter\.",
     _l("2–60 lowercase letters, digits or _, starting with a letter.")),
    (r"The name of a sector attribute \(letters, digits, _\)\.",
     _l("The name of an organisation attribute (letters, digits, _).")),
    (r"A manual indicator measures nothing: leave it out\.",
     _l("A manually scored indicator measures nothing: leave it empty.")),
    (r"This key is taken\.", _l("This code is taken.")),
    (r"Unknown sector \(not provided by an enabled plugin\)\.", _l("Unknown sector.")),
]
_COMPILED = [(re.compile(f"^{pattern}$"), message) for pattern, message in MESSAGES]


def say(message) -> str:
    """One service message in the interface's language."""
    text = str(message)
    for pattern, translated in _COMPILED:
        found = pattern.match(text)
        if found:
            return str(translated) % found.groupdict() if found.groupdict() else str(translated)
    return text


def flat(errors, prefix: str = "") -> dict[str, list[str]]:
    """``{"a": {"1": ["…"]}}`` → ``{"a.1": ["…"]}`` (``_schema`` names the level above)."""
    if not isinstance(errors, dict):
        messages = errors if isinstance(errors, list | tuple) else [errors]
        out: dict[str, list[str]] = {}
        for message in messages:
            if isinstance(message, dict):
                for key, value in flat(message, prefix).items():
                    out.setdefault(key, []).extend(value)
            else:
                out.setdefault(prefix, []).append(say(message))
        return out
    out = {}
    for key, value in errors.items():
        name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
        for field, messages in flat(value, name).items():
            out.setdefault(field, []).extend(messages)
    return out


def add_error(field, message: str) -> None:
    """Put ``message`` beside a WTForms field (its errors may still be the initial tuple)."""
    field.errors = [*field.errors, message]
