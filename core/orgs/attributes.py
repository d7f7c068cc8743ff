"""Sector attributes of an organisation or of a unit it serves, validated by the sector
plugins' schemas.

Core knows no sector's data: the tenant's enabled plugins answer ``dangjian_org_attributes``
with a marshmallow schema for a (sector, kind), and ``dangjian_unit_attributes`` for a
(sector, unit type). Several plugins may answer for one sector (a third-party plugin adding
fields); each checks the keys it declares and a key nobody declares is refused, so a typo
never lands in the register. Errors name ``attributes.<field>``.

A plugin the tenant disables stops declaring its keys: they are then **hidden** (left out of
what the API shows, :func:`visible`) but kept in the row — a later write keeps them
(``keep``) — so enabling the plugin again brings them back exactly as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import g, has_request_context
from marshmallow import EXCLUDE, Schema, ValidationError

from core.api.errors import ApiError, describe_errors
from core.plugins import service as plugin_service

ORG_HOOK = "dangjian_org_attributes"
UNIT_HOOK = "dangjian_unit_attributes"


def _schemas(hook: str, sector: str | None, **kwargs) -> list[Schema]:
    if sector is None:
        return []
    schemas = []
    for result in plugin_service.hook(hook)(sector=sector, **kwargs):
        schema = result() if isinstance(result, type) else result
        if not isinstance(schema, Schema):
            raise TypeError(f"{hook} must return a marshmallow Schema class or instance, got {result!r}")
        schemas.append(schema)
    return schemas


def schemas_for(sector: str | None, kind: str) -> list[Schema]:
    """The attribute schemas the current tenant's enabled plugins give for ``sector``/``kind``."""
    return _schemas(ORG_HOOK, sector, kind=kind)


def unit_schemas_for(sector: str | None, unit_type: str) -> list[Schema]:
    """The schemas the tenant's enabled plugins give for units of ``unit_type`` served by
    organisations of ``sector``."""
    return _schemas(UNIT_HOOK, sector, unit_type=unit_type)


def _input_keys(schema: Schema) -> set[str]:
    return {(f.data_key or name) for name, f in schema.fields.items() if not f.dump_only}


def _flatten(errors, prefix: str, into: dict) -> None:
    """marshmallow's nested messages as flat ``{"attributes.a.0": [...]}`` keys."""
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            _flatten(value, f"{prefix}.{key}", into)
    else:
        into.setdefault(prefix, []).extend(errors if isinstance(errors, list) else [str(errors)])


def declared_keys(schemas: list[Schema]) -> set[str]:
    keys: set[str] = set()
    for schema in schemas:
        keys |= _input_keys(schema)
    return keys


def validate(sector: str | None, kind: str, attributes, keep: Mapping | None = None) -> dict:
    """``attributes`` checked and normalised for an organisation of ``sector`` and ``kind``.

    Raises a 422 :class:`ApiError` naming each bad ``attributes.<field>``; returns the JSON
    to store (each schema's ``dump`` of what it loaded). ``keep`` is what is stored now: its
    keys no enabled plugin declares (a disabled plugin's) are carried over unchanged.
    """
    return check(schemas_for(sector, kind), attributes, keep)


def validate_unit(sector: str | None, unit_type: str, attributes, keep: Mapping | None = None) -> dict:
    """As :func:`validate`, for a unit of ``unit_type`` served by an organisation of ``sector``."""
    return check(unit_schemas_for(sector, unit_type), attributes, keep)


def check(schemas: list[Schema], attributes, keep: Mapping | None = None) -> dict:
    """``attributes`` validated by ``schemas`` (see :func:`validate`)."""
    if not isinstance(attributes, Mapping):
        raise ApiError(422, "attributes must be an object.", {"attributes": ["Not an object."]})
    errors: dict[str, list] = {}
    stored: dict = {}
    declared: set[str] = set()
    for schema in schemas:
        keys = _input_keys(schema)
        declared |= keys
        try:
            loaded = schema.load(dict(attributes), unknown=EXCLUDE)
        except ValidationError as exc:
            _flatten(exc.messages, "attributes", errors)
            continue
        stored.update({k: v for k, v in schema.dump(loaded).items()})
    for key in attributes:
        if key not in declared:
            message = (
                "Unknown field." if schemas
                else "This sector and kind define no attributes."
            )
            errors.setdefault(f"attributes.{key}", []).append(message)
    if errors:
        raise ApiError(422, f"Invalid attributes: {describe_errors(errors)}", errors)
    for key, value in (keep or {}).items():
        if key not in declared:
            stored[key] = value  # a disabled plugin's data: hidden, never dropped
    return stored


def _visible_keys(hook: str, sector: str | None, **kwargs) -> set[str]:
    """Declared keys for the pair, cached for the request (a list shows many organisations)."""
    cache_key = f"_dangjian_attribute_keys_{hook}_{sector}_{sorted(kwargs.items())}"
    if has_request_context() and hasattr(g, cache_key):
        return getattr(g, cache_key)
    keys = declared_keys(_schemas(hook, sector, **kwargs))
    if has_request_context():
        setattr(g, cache_key, keys)
    return keys


def visible(org) -> dict:
    """The organisation's attributes that the tenant's enabled plugins declare (what the
    API shows); a disabled plugin's stay stored but hidden."""
    stored = org.attributes or {}
    if not stored:
        return {}
    keys = _visible_keys(ORG_HOOK, org.sector, kind=org.kind)
    return {k: v for k, v in stored.items() if k in keys}


def visible_unit(unit, sector: str | None) -> dict:
    """As :func:`visible`, for a unit served by an organisation of ``sector``."""
    stored = unit.attributes or {}
    if not stored:
        return {}
    keys = _visible_keys(UNIT_HOOK, sector, unit_type=unit.unit_type)
    return {k: v for k, v in stored.items() if k in keys}
