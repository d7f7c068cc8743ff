"""The flask-smorest ``Api`` with our error format, and helpers for views."""

from __future__ import annotations

import uuid

import flask_smorest
from sqlalchemy import func, select

from core.api.errors import error_body
from core.db import db
from core.tenancy import current_tenant_id

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}


class Api(flask_smorest.Api):
    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        message = data.get("message") or error.description
        return error_body(error.code, message, errors), error.code, data.get("headers", {})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint; every route answers with our JSON error format."""


def make_api(app) -> Api:
    """One ``Api`` per app (its OpenAPI document is per app too)."""
    return Api(app, spec_kwargs={"components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}}})


def parse_id(raw) -> uuid.UUID | None:
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        return None


def get_or_404(model, object_id, what: str | None = None):
    """The current tenant's ``model`` row with this id, or a 404.

    Another tenant's id is indistinguishable from an unknown one: both are 404.
    """
    from core.api.errors import abort

    parsed = parse_id(object_id)
    obj = None
    if parsed is not None:
        obj = db.session.scalar(
            select(model).where(model.tenant_id == current_tenant_id(), model.id == parsed)
        )
    if obj is None:
        abort(404, f"{what or model.__name__} {object_id} not found")
    return obj


def paged(stmt, pagination_parameters) -> list:
    """The page of ``stmt``'s rows that flask-smorest's ``pagination_parameters`` ask for,
    setting its ``item_count`` (one COUNT over the same statement, one SELECT of the page)."""
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    return db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
