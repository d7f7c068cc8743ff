"""The web app (网页端): server-rendered Chinese pages over the same services as the API.

Pages live in :mod:`core.web.screens`, one module per screen group (``auth``, ``dashboard``,
``orgs`` …), templates in ``templates/web/`` and the app's own CSS and JavaScript in
``static/`` (served at ``/static/web/``) —
nothing is fetched from another host. Every UI string goes through the message catalog
(``translations/zh``, :mod:`core.web.i18n`); every form carries a CSRF token
(Flask-WTF's ``CSRFProtect``). A browser session holds the same kind of token the API issues
(:mod:`core.web.session`), so lockout, expiry and revocation work the same for both; the
API never accepts the cookie. Every response, the API's included, carries the security
headers of :mod:`core.web.headers` (a strict CSP, no framing, HSTS over TLS).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from core.web import headers, i18n
from core.web.blueprint import bp

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Register the pages, the catalog and CSRF protection on ``app``."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the session's own lifetime bounds it
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    csrf.init_app(app)
    headers.install(app)  # on every response, the API's too
    # The JSON API authenticates with bearer tokens only (never the cookie): no CSRF there.
    for name, blueprint in app.blueprints.items():
        if name != bp.name:
            csrf.exempt(blueprint)
    i18n.init_app(app)
    from core.web import screens

    screens.import_all()  # the views register on bp

    app.register_blueprint(bp)
