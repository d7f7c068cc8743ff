"""The assessment administration's own sentences (standards, custom indicators, star
settings) in Chinese, for :mod:`core.web.service_errors`: the messages every service shares
(marshmallow's) are in its generic table, so only these are listed here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.web.service_errors import MessageTable

_NUMBER = r"-?\d+(?:\.\d+)?"

MESSAGES = MessageTable(
    exact={
        "Not a valid text.": _l("Not a valid text."),
    },
    patterns=(
        (r"Must be at most 100\.", _l("Must be at most 100.")),
        (r"Must be greater than 0 and at most 100\.", _l("Must be greater than 0 and at most 100.")),
        (r"Contains a NUL character\.", _l("Contains a character that is not allowed.")),
        (rf"The weights must add up to exactly 100 \(they add up to (?P<total>{_NUMBER})\)\.",
         _l("The points must add up to exactly 100 (they add up to %(total)s).")),
        (r"Give at least one indicator\.", _l("Keep at least one indicator.")),
        (r"Unknown indicator '(?P<key>[^']+)' \(or its plugin is not enabled\)\.",
         _l("Unknown indicator %(key)s (or its plugin is not enabled).")),
        (r"Indicator '(?P<key>[^']+)' is given twice\.", _l("Indicator %(key)s is given twice.")),
        (r"Custom indicator '(?P<key>[^']+)' is deactivated: it cannot be added to a standard\.",
         _l("Custom indicator %(key)s is deactivated: it cannot be added to a standard.")),
        (r"Indicator applies only to .+",
         _l("This indicator does not apply to the sectors or kinds this standard rates.")),
        (r"This indicator has no parameters\.", _l("This indicator has no parameters.")),
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
    ),
)
