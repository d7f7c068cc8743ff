"""The forms of the users screen, the Chinese names of the roles, and the auth service's
complaints in Chinese (the service speaks English to the API; the page puts the same
complaint, translated, beside the field it concerns)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from core.api.errors import ApiError
from core.auth.models import ROLES, TENANT_WIDE_ROLES
from core.web import service_errors
from core.web.service_errors import MessageTable, translate

ROLE_LABELS = {
    "platform_operator": _l("Platform operator"),
    "tenant_admin": _l("City administrator"),
    "org_manager": _l("Organisation manager"),
    "branch_secretary": _l("Branch secretary"),
    "member": _l("Party member"),
}


def role_label(role: str):
    return ROLE_LABELS.get(role, role)


class NewUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       default="branch_secretary")
    org_code = StringField(_l("Organisation code"), validators=[Optional(), Length(max=64)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])


class MemberLinkForm(FlaskForm):
    """Link (``member_id`` set) or unlink (empty) the account and a register member."""

    member_id = HiddenField()
    version = HiddenField()  # the account's, when the page was opened (core.web.versions)


class ActionForm(FlaskForm):
    """A button-only form (unlock, disable, revoke): just the CSRF token."""


TENANT_WIDE = set(TENANT_WIDE_ROLES)

# The auth service's complaints (marshmallow's messages are in the generic table).
MESSAGES = MessageTable(
    exact={
        "Password must contain at least three of: lower-case letters, upper-case letters, "
        "digits, symbols.": _l("Password must contain at least three of: lower-case letters, "
                               "upper-case letters, digits, symbols."),
        "Username must be 2–64 characters: letters, digits and . _ @ -, starting with a letter "
        "or digit.": _l("Username must be 2–64 characters: letters, digits and . _ @ -, starting "
                        "with a letter or digit."),
        "Already taken.": _l("This username is already taken."),
        "Unknown member.": _l("Unknown member."),
        "Unknown role.": _l("Unknown role."),
    },
    patterns=(
        (r"Password must be at least (?P<n>\d+) characters long\.",
         _l("Password must be at least %(n)s characters long.")),
        (r"Password must be at most (?P<n>\d+) characters long\.",
         _l("Password must be at most %(n)s characters long.")),
        (r"The member is already linked to the account '(?P<name>.+)'\.",
         _l("The member is already linked to the account %(name)s.")),
        (r"Must be empty for (?P<role>\w+)\.",
         lambda found: _("%(role)s is granted for the whole city: leave the organisation empty.",
                         role=role_label(found["role"]))),
    ),
)


def translated(problem: str) -> str:
    """One service complaint in Chinese (an unknown one is shown as it is)."""
    return translate(problem, MESSAGES)


def show_errors(form: FlaskForm, exc: ApiError, fields: dict[str, str] | None = None) -> None:
    """Put ``exc``'s field errors beside ``form``'s fields (``fields`` maps the service's
    field names to the form's), the rest above the form."""
    service_errors.show_errors(form, exc, MESSAGES, fields=fields)
