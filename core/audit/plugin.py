"""Core's audit slice as a default plugin: the recorder, the request id and the audit API."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_app_configured(app):
    from core.audit import append_only, recorder

    recorder.install()
    append_only.install()  # no UPDATE or DELETE of an entry through SQLAlchemy
    if app.extensions.get("dangjian_audit_request_id"):
        return
    app.extensions["dangjian_audit_request_id"] = True

    @app.after_request
    def _echo_request_id(response):
        # The id the audit entries of this request carry, so a user's report can be traced.
        response.headers[recorder.REQUEST_ID_HEADER] = recorder.request_id()
        return response


@hookimpl
def dangjian_register_api(api):
    from core.audit.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/audit")
