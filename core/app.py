"""The app factory.

``create_app()`` reads config from the environment (``core.config``), wires the database, the
tenancy walls, the API and every plugin, and returns a Flask app. Each request gets its tenant
(``core.tenancy.resolve``) and its user (``core.auth.request``) before any view runs.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, request
from flask_migrate import Migrate

from core import config as config_module
from core import web
from core.api import docs as api_docs
from core.api import nul
from core.api.errors import abort, register_error_handlers
from core.api.smorest import make_api
from core.db import db, encrypted, sqlite
from core.plugins.manager import call_for_each, get_manager, installed_plugins
from core.protection import log_scrub, ratelimit
from core.tenancy import context as tenancy_context
from core.tenancy import rls, scoping

log = logging.getLogger("dangjian")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    instance_path = os.path.abspath(
        os.environ.get("DANGJIAN_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    )
    app = Flask("core", instance_path=instance_path)
    app.config.update(config_module.from_environment(instance_path))
    app.config.update(config or {})
    app.json.ensure_ascii = False  # Chinese names as UTF-8, not \uXXXX escapes
    _configure_logging(app)
    log_scrub.install()  # no ID number, phone or ciphertext in any log record
    _ensure_secret_key(app)

    encrypted.init_app(app)
    sqlite.install()
    db.init_app(app)
    scoping.install()
    rls.install()
    _init_migrations(app)

    app.extensions["dangjian_api"] = api = make_api(app)
    register_error_handlers(app)
    nul.register(app)
    app.register_blueprint(api_docs.bp)
    _register_plugin_apis(app, api)
    web.init_app(app)
    _install_request_context(app)
    ratelimit.init_app(app)  # after the tenant and the token are known
    log_scrub.install(db.metadata)  # mask the plugins' encrypted fields by name too

    # Commands live on the app's own CLI group, so `dangjian` and app.test_cli_runner() agree.
    get_manager().hook.dangjian_register_cli(cli=app.cli)
    get_manager().hook.dangjian_app_configured.call_historic(kwargs={"app": app})
    return app


def ready_to_serve(app: Flask) -> Flask:
    """Call once before a process starts serving ``app`` (the WSGI entry point and the demo
    server do). What start-up loaded — modules, plugins, catalogs, templates — lives as long
    as the process: collect the start-up garbage, then move the rest out of the garbage
    collector's sight (``gc.freeze``), so a full collection during a request scans what
    requests made, not half a million start-up objects (a 200 ms pause in a page otherwise),
    and forked workers keep sharing those pages."""
    gc.collect()
    gc.freeze()
    return app


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=os.environ.get("DANGJIAN_LOG_LEVEL", "INFO"),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )


def _ensure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY from the environment; for the embedded default, keep one in the instance."""
    if app.config.get("SECRET_KEY"):
        return
    os.makedirs(app.instance_path, exist_ok=True)
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
        log.warning("SECRET_KEY not set: generated one in %s (set SECRET_KEY in production)", key_file)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _init_migrations(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    migrate = Migrate(
        app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True
    )

    @migrate.configure
    def _add_plugin_versions(alembic_config):
        # Plugins' tables come only through their own migration branches.
        locations = [str(MIGRATIONS_DIR / "versions")]
        locations += [str(path) for _, path in call_for_each("dangjian_migrations")]
        alembic_config.set_main_option("path_separator", "os")
        alembic_config.set_main_option("version_locations", os.pathsep.join(locations))
        return alembic_config


class _PluginApi:
    """What a plugin's ``dangjian_register_api`` receives: records whose blueprint is whose."""

    def __init__(self, api, owners: dict[str, str], plugin_name: str):
        self._api, self._owners, self._plugin = api, owners, plugin_name

    def register_blueprint(self, blueprint, **options):
        self._owners[options.get("name", blueprint.name)] = self._plugin
        return self._api.register_blueprint(blueprint, **options)

    def __getattr__(self, name):
        return getattr(self._api, name)


def _register_plugin_apis(app: Flask, api) -> None:
    owners: dict[str, str] = {}
    for impl in get_manager().hook.dangjian_register_api.get_hookimpls():
        impl.function(api=_PluginApi(api, owners, impl.plugin_name))
    selectable = set(installed_plugins())
    # blueprint name -> installed plugin that owns it (default plugins are always on)
    app.extensions["dangjian_plugin_blueprints"] = {
        bp: plugin for bp, plugin in owners.items() if plugin in selectable
    }


def _install_request_context(app: Flask) -> None:
    from core.auth import request as auth_request
    from core.plugins import service as plugin_service
    from core.tenancy.resolve import tenant_for_request
    from core.web import session as web_session

    @app.before_request
    def _enter_tenant_and_user():
        token = auth_request.bearer_token()
        # Web pages (only they) may carry the token in the session cookie instead.
        from_cookie = token is None and request.blueprint == web_session.BLUEPRINT
        if from_cookie:
            token = web_session.cookie_token()
        tenant = tenant_for_request(auth_request.token_tenant_hint(token))
        tenant_id = tenant.id if tenant is not None else None
        db.session.rollback()  # resolution ran without a tenant; start clean for this one
        request.environ["dangjian.tenant_token"] = tenancy_context.activate(tenant_id)
        if from_cookie and token is not None and not web_session.still_valid(token):
            token = None  # an expired or revoked session: simply not logged in
        if token is not None:
            request.environ["dangjian.actor_token"] = auth_request.authenticate(token)
        owner = current_app.extensions["dangjian_plugin_blueprints"].get(request.blueprint)
        if owner is not None and (tenant_id is None or not plugin_service.is_enabled(owner)):
            abort(404, "not found")

    @app.teardown_request
    def _leave_tenant_and_user(exc=None):
        db.session.remove()
        # Per-request caches live on g; g outlives the request when an outer app context
        # is pushed (tests, CLI), so clear them here.
        for name in [n for n in vars(g) if n.startswith("_dangjian_")]:
            g.pop(name, None)
        g.pop("csrf_token", None)  # Flask-WTF caches the request's CSRF token on g too
        actor_token = request.environ.pop("dangjian.actor_token", None)
        if actor_token is not None:
            auth_request.forget(actor_token)
        tenant_token = request.environ.pop("dangjian.tenant_token", None)
        if tenant_token is not None:
            tenancy_context.deactivate(tenant_token)
