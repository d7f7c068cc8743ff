"""The web forms (Flask-WTF: CSRF token included). Labels are msgids of the catalog."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class PlatformLoginForm(LoginForm):
    """The login on a platform host (``PLATFORM_HOSTS``): the address implies no city, so
    the user names it (its slug) and logs in within that city only."""

    city = StringField(_l("City code"), validators=[DataRequired(), Length(max=63)])


class SwitchCityForm(FlaskForm):
    """A platform operator moves to another city with their password there: accounts are
    per city, and no city trusts another's login. ``city`` choices are the active tenants
    (set by the view)."""

    city = SelectField(_l("City"), validators=[DataRequired()], choices=[])
    password = PasswordField(_l("Your password in that city"),
                             validators=[DataRequired(), Length(max=256)])
