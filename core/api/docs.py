"""Interactive API docs (Swagger UI) served by the app itself.

Swagger UI comes from the ``swagger-ui-bundle`` Python package (installed by pip, never
committed) and is served from ``/api/v1/docs/vendor/``; the page has no inline script, so it
works under a strict Content-Security-Policy and on an intranet with no outside host.
"""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint(
    "api_docs",
    __name__,
    url_prefix="/api/v1/docs",
    template_folder="templates",
    static_folder="static",
)


@bp.get("/")
def index():
    return render_template(
        "api/docs.html", spec_url=url_for("api-docs.openapi_json"), title="dangjian API"
    )


@bp.get("/vendor/<path:filename>")
def vendor(filename: str):
    return send_from_directory(str(swagger_ui_path), filename, max_age=3600)
