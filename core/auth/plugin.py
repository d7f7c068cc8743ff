"""Core's auth slice as a default plugin: what it contributes through the hooks."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.auth.api import auth_bp, users_bp

    api.register_blueprint(auth_bp, url_prefix="/api/v1/auth")
    api.register_blueprint(users_bp, url_prefix="/api/v1/users")


@hookimpl
def dangjian_register_cli(cli):
    from core.auth.cli import users

    cli.add_command(users)
