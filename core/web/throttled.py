"""The web app's answer to a rate limit (:mod:`core.protection.ratelimit`): 429, in Chinese.

Only logging in is limited on the web, so the answer is the login form again with the
reason beside it (what the user typed stays, the password does not); any other page gets
the error page. The status stays 429 with ``Retry-After`` either way.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _


def page(seconds: int):
    if request.endpoint == "web.login":
        from core.web.forms import LoginForm, PlatformLoginForm
        from core.web.screens.auth import choosing_city

        choosing = choosing_city()
        form = PlatformLoginForm() if choosing else LoginForm()
        form.form_errors.append(
            _("Too many failed logins; try again in %(seconds)s seconds.", seconds=seconds)
        )
        html = render_template("web/login.html", form=form, choosing=choosing)
    else:
        message = _("Too many requests; try again in %(seconds)s seconds.", seconds=seconds)
        html = render_template("web/error.html", status=429, message=message)
    return html, 429
