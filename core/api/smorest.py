"""The flask-smorest ``Api`` with our error format, and helpers for views."""

from __future__ import annotations

import copy
import functools
import http
import uuid

import flask
import flask_smorest
import marshmallow as ma
from sqlalchemy import func, select

from core.api.errors import error_body
from core.db import db
from core.tenancy import current_tenant_id

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}


class ErrorSchema(ma.Schema):
    """The error body as :func:`core.api.errors.error_body` writes it, for the OpenAPI document
    (flask-smorest's own has a ``status`` we never send and no ``null`` for ``errors``)."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = ma.fields.String(required=True, metadata={"description": "A sentence for people"})
    errors = ma.fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": 'Details by field name (``{"name": ["…"]}``), or null'},
    )


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        message = data.get("message") or error.description
        return error_body(error.code, message, errors), error.code, data.get("headers", {})


WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Past this page every list is empty anyway; a larger one would overflow the OFFSET (SQLite and
# PostgreSQL take a signed 64-bit integer) and fail as a 500.
MAX_PAGE = 1_000_000


def error_responses_doc(doc: dict, rule: str, methods: set[str]) -> dict:
    """``doc`` (a view's ``_apidoc``) with the error statuses that every route of its kind can
    answer, each documented with the error body unless the view says more:

    * 400 — always: no tenant for the request, or a body that is not JSON;
    * 401 and 403 — when it needs the bearer token: none or a bad one, a role it lacks;
    * 404 — when its path has parameters or its input names a record by id (a UUID field):
      an unknown id, or another tenant's, or one outside the user's organisations;
    * 409 — when it writes: the change conflicts with existing data, or with a change made
      since it was read."""
    doc = copy.deepcopy(doc)
    responses = doc.setdefault("response", {}).setdefault("responses", {})
    codes = [400]
    if "security" in doc.get("manual_doc", {}):
        codes += [401, 403]
    if "<" in rule or _names_a_record(doc):
        codes.append(404)
    if methods & WRITES:
        codes.append(409)
    for code in codes:
        responses.setdefault(code, [http.HTTPStatus(code).name])
    return doc


def _holds_uuid(field: ma.fields.Field) -> bool:
    if isinstance(field, ma.fields.UUID):
        return True
    if isinstance(field, ma.fields.List):
        return _holds_uuid(field.inner)
    if isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
        return any(_holds_uuid(inner) for inner in field.schema.fields.values())
    return False


def _names_a_record(doc: dict) -> bool:
    """Whether any of the view's arguments (query, body, form) is a record's id."""
    for argument in doc.get("arguments", {}).get("parameters", []):
        schema = argument["schema"]
        schema = schema() if isinstance(schema, type) else schema
        if isinstance(schema, ma.Schema) and any(map(_holds_uuid, schema.fields.values())):
            return True
    return False


def _bounded_pages(schema: type[ma.Schema]) -> type[ma.Schema]:
    """flask-smorest's pagination schema with ``page`` capped at :data:`MAX_PAGE`."""
    page = schema._declared_fields["page"]
    return type(
        schema.__name__,
        (schema,),
        {
            "page": ma.fields.Integer(
                load_default=page.load_default, validate=ma.validate.Range(min=1, max=MAX_PAGE)
            )
        },
    )


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint; every route answers with our JSON error format, documents the
    error statuses it can answer (:func:`error_responses_doc`) and refuses a page past
    :data:`MAX_PAGE` with a 422."""

    def route(self, rule, *, parameters=None, tags=None, **options):
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        methods = {m.upper() for m in options.get("methods", ("GET",))}

        def decorator(func):
            func._apidoc = error_responses_doc(getattr(func, "_apidoc", {}), rule, methods)
            return register(func)

        return decorator

    def paginate(self, pager=None, *, page=None, page_size=None, max_page_size=None):
        paginate = super().paginate(
            pager, page=page, page_size=page_size, max_page_size=max_page_size
        )

        def decorator(func):
            wrapper = paginate(func)
            documented = wrapper._apidoc["pagination"]["parameters"]
            documented["schema"] = bounded = _bounded_pages(documented["schema"])

            @functools.wraps(wrapper)
            def checked(*args, **kwargs):
                self.PAGINATION_ARGUMENTS_PARSER.parse(bounded, flask.request, location="query")
                return wrapper(*args, **kwargs)

            return checked

        return decorator


@functools.cache
def settings_docs(
    schema: type[ma.Schema], *, overridden: bool
) -> tuple[type[ma.Schema], type[ma.Schema]]:
    """The OpenAPI schemas of a tenant settings route (``GET``/``PUT …/settings``), whose views
    read and answer plain dicts: ``(change, answer)`` — what a ``PUT`` sends (``schema``'s
    values, each optional, and the ``version`` read) and what both answer (the values, their
    ``version`` and, when the route lists them, the keys the tenant ``overridden``)."""
    base = schema.__name__.removesuffix("Schema")
    version = {"version": ma.fields.Integer(metadata={"description": "send it back with a change"})}
    change = type(f"{base}Change", (schema,), dict(version))
    answered = dict(version)
    if overridden:
        answered["overridden"] = ma.fields.List(
            ma.fields.String(), metadata={"description": "the keys the tenant changed"}
        )
    return change, type(f"{base}Answer", (schema,), answered)


def settings_answer(plugin: str, schema: type[ma.Schema]) -> dict:
    """What a tenant settings route answers (its ``settings_docs(schema, overridden=True)``):
    the plugin's values for the tenant, the keys the tenant ``overridden`` and the
    ``version`` to send back with a change."""
    from core.plugins import settings as plugin_settings

    explained = plugin_settings.explain_settings(plugin)
    body = schema().dump({k: v for k, (v, _) in explained.items()})
    body["overridden"] = sorted(k for k, (_, source) in explained.items() if source == "tenant")
    body["version"] = plugin_settings.settings_version(plugin)
    return body


def replace_settings(plugin: str, schema: type[ma.Schema]) -> dict:
    """A ``PUT …/settings``: the request's JSON object replaces the tenant's overrides (a
    422 for anything else; a stale ``version`` beside them is a 409), committed; answers as
    :func:`settings_answer`."""
    from core.api.errors import abort
    from core.db.versioning import pop_version
    from core.plugins import settings as plugin_settings

    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(422, "Send a JSON object of settings.", {"json": ["Not a JSON object."]})
    expected = pop_version(body)
    plugin_settings.set_overrides(plugin, body, expected_version=expected)
    db.session.commit()
    return settings_answer(plugin, schema)


def json_body(schema) -> dict:
    """A ``requestBody`` for ``@bp.doc``, for views that read ``request.get_json()`` themselves."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def decimal_as_string(self, field, ret, **kwargs) -> dict:
    """A ``Decimal`` travels as a JSON string (``"12.50"``: Flask writes a ``Decimal`` as its
    text, ``as_string`` or not, and reading accepts the text), never as a float that would
    round. apispec documents it as a number, with its ``Range`` bounds as strings the
    document's own validators refuse; say what is on the wire, bounds as numbers."""
    if not isinstance(field, ma.fields.Decimal):
        return {}
    for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if bound in ret and not isinstance(ret[bound], bool):
            ret[bound] = float(ret[bound])
    return {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}


def make_api(app) -> Api:
    """One ``Api`` per app (its OpenAPI document is per app too)."""
    api = Api(app, spec_kwargs={"components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}}})
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    return api


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
