"""The web blueprint, its error pages and what every template sees."""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core.api.errors import ApiError

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

NAME = "web"


def _error_page(status: int, message: str):
    return render_template("web/error.html", status=status, message=message), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    from core.web.service_errors import translate

    return _error_page(exc.status, translate(exc.message))


@bp.errorhandler(StaleDataError)
def _stale(exc: StaleDataError):
    """A page's write overtaken between its read and its UPDATE (:mod:`core.db.versioning`):
    nothing was written; a page that catches the service's 409 itself keeps the input."""
    from core.db import db
    from core.web import versions

    db.session.rollback()
    return _error_page(409, str(versions.SAVED_MEANWHILE))


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):
    from flask_babel import gettext as _

    return _error_page(400, _("The form expired; please try again."))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """An upload over ``MAX_CONTENT_LENGTH`` (refused before its body is read): a page that
    says so in Chinese, with the limit, and a way back to the form it came from."""
    from flask_babel import gettext as _

    from core.files import human_size

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = human_size(int(limit)) if limit else "?"
    message = _("The upload is larger than the limit of %(limit)s. Make the file smaller (or "
                "split it) and try again.", limit=size)
    referrer = request.referrer or ""
    back = referrer if referrer.startswith(request.host_url) else None
    return render_template("web/error.html", status=413, message=message, back_url=back), 413


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return _error_page(exc.code or 500, exc.description or "")


@bp.app_context_processor
def _globals():
    from core.web import navigation, session

    if request.blueprint != NAME:
        return {}
    user = session.current_web_user()
    return {"web_user": user, "navigation": navigation.items_for(user)}


@bp.record_once
def _template_globals(state):
    """Globals (not only context): macros imported without context can use them too."""
    from core.web import labels

    state.app.jinja_env.globals.update(url_with=url_with, labels=labels)


def url_with(**changes) -> str:
    """This page's URL with some query arguments changed (``None`` drops one): for pagers,
    filters and sort links."""
    arguments = {**(request.view_args or {}), **request.args.to_dict()}
    arguments.update(changes)
    return url_for(request.endpoint, **{k: v for k, v in arguments.items() if v is not None})


def page(view):
    """A page for logged-in users: anyone else is sent to the login form (and back after)."""
    from core.web.session import current_web_user

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_web_user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
