"""Sector attributes of an organisation, validated by the sector plugins' schemas.

Core knows no sector's data: the tenant's enabled plugins answer ``dangjian_org_attributes``
with a marshmallow schema for a (sector, kind). Several plugins may answer for one sector (a
third-party plugin adding fields); each checks the keys it declares and a key nobody declares
is refused, so a typo never lands in the register. Errors name ``attributes.<field>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import EXCLUDE, Schema, ValidationError

from core.api.errors import ApiError, describe_errors
from core.plugins import service as plugin_service


def schemas_for(sector: str | None, kind: str) -> list[Schema]:
    """The attribute schemas the current tenant's enabled plugins give for ``sector``/``kind``."""
    if sector is None:
        return []
    schemas = []
    for result in plugin_service.hook("dangjian_org_attributes")(sector=sector, kind=kind):
        schema = result() if isinstance(result, type) else result
        if not isinstance(schema, Schema):
            raise TypeError(
                "dangjian_org_attributes must return a marshmallow Schema class or instance, "
                f"got {result!r}"
            )
        schemas.append(schema)
    return schemas


def _input_keys(schema: Schema) -> set[str]:
    return {(f.data_key or name) for name, f in schema.fields.items() if not f.dump_only}


def _flatten(errors, prefix: str, into: dict) -> None:
    """marshmallow's nested messages as flat ``{"attributes.a.0": [...]}`` keys."""
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            _flatten(value, f"{prefix}.{key}", into)
    else:
        into.setdefault(prefix, []).extend(errors if isinstance(errors, list) else [str(errors)])


def validate(sector: str | None, kind: str, attributes) -> dict:
    """``attributes`` checked and normalised for an organisation of ``sector`` and ``kind``.

    Raises a 422 :class:`ApiError` naming each bad ``attributes.<field>``; returns the JSON
    to store (each schema's ``dump`` of what it loaded).
    """
    if not isinstance(attributes, Mapping):
        raise ApiError(422, "attributes must be an object.", {"attributes": ["Not an object."]})
    schemas = schemas_for(sector, kind)
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
    return stored
