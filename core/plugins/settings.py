"""Per-plugin settings: plugin defaults ← global overrides ← tenant overrides, validated.

A plugin declares its settings as a marshmallow schema (the ``dangjian_settings_schema``
hook); each field's ``load_default`` is the plugin's default, usually a national rule (a
village term of 5 years). The operator may override a setting for every tenant with the
``PLUGIN_SETTINGS`` config (a JSON object keyed by plugin name), and each tenant may override
it again (stored on its ``tenant_plugins`` row), because local practice differs city by city.

The layers are merged and loaded through the schema every time, so what a plugin reads is
always valid and typed; a bad value is refused when it is written, naming the plugin, the
field and the reason. Tenant overrides are read through the tenant-scoped model, so one
tenant's values can never reach another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import current_app, g, has_app_context, has_request_context
from marshmallow import RAISE, Schema, ValidationError, missing

from core.api.errors import ApiError, describe_errors
from core.db import versioning
from core.plugins.manager import call_for_each, get_manager, installed_plugins
from core.plugins.service import (
    UnknownPlugin,
    check_configurable,
    ensure_settings_row,
    find_row,
)
from core.tenancy import current_tenant_id

CONFIG_KEY = "PLUGIN_SETTINGS"
SOURCES = ("default", "global", "tenant")


class PluginSettingsError(ApiError):
    """Settings refused for a plugin: 422, with every bad field and why (``errors`` by field)."""

    def __init__(self, plugin: str, errors: dict, where: str = "settings"):
        super().__init__(
            422, f"plugin {plugin!r}: invalid {where}: {describe_errors(errors, whole='settings')}", errors
        )
        self.plugin = plugin


class PluginSettingsConfigError(RuntimeError):
    """The ``PLUGIN_SETTINGS`` config is unusable (bad JSON, wrong shape, invalid values)."""


def schema_for(plugin_name: str) -> Schema | None:
    """The settings schema of a registered plugin, or ``None`` if it declares no settings.

    Raises :class:`~core.plugins.service.UnknownPlugin` for a name no plugin has, and
    ``TypeError`` when the plugin returns something that is not a schema or leaves a field
    without a default (a plugin bug, so it fails loudly).
    """
    pm = get_manager()
    if pm.get_plugin(plugin_name) is None:
        raise UnknownPlugin(plugin_name)
    for name, result in call_for_each("dangjian_settings_schema", pm):
        if name != plugin_name:
            continue
        schema = result() if isinstance(result, type) else result
        if not isinstance(schema, Schema):
            raise TypeError(
                f"plugin {plugin_name!r}: dangjian_settings_schema must return a marshmallow "
                f"Schema class or instance, got {result!r}"
            )
        no_default = [
            key
            for key, field in schema.fields.items()
            if not field.dump_only and field.load_default is missing
        ]
        if no_default:
            raise TypeError(
                f"plugin {plugin_name!r}: settings fields without a load_default: "
                f"{', '.join(no_default)} (every setting needs a default)"
            )
        return schema
    return None


def _input_keys(schema: Schema) -> dict[str, str]:
    """Input key (``data_key`` or name) → attribute name, for the loadable fields."""
    return {
        (field.data_key or name): name
        for name, field in schema.fields.items()
        if not field.dump_only
    }


def defaults(plugin_name: str) -> dict:
    """The plugin's own defaults (every field's ``load_default``)."""
    schema = schema_for(plugin_name)
    return {} if schema is None else schema.load({})


def parse_global_config(raw) -> dict[str, dict]:
    """``PLUGIN_SETTINGS`` as ``{plugin: {setting: value}}``.

    Accepts a dict, a JSON string (from the environment) or nothing. Anything else raises
    :class:`PluginSettingsConfigError` naming ``PLUGIN_SETTINGS``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise PluginSettingsConfigError(
                f"{CONFIG_KEY} is not valid JSON ({exc}); expected an object keyed by plugin "
                f'name, e.g. {{"rural": {{"collective_income_target_wan": 10}}}}'
            ) from None
    if not isinstance(raw, Mapping):
        raise PluginSettingsConfigError(
            f"{CONFIG_KEY} must be a JSON object keyed by plugin name, "
            f"got {type(raw).__name__}"
        )
    bad = [name for name, layer in raw.items() if not isinstance(layer, Mapping)]
    if bad:
        raise PluginSettingsConfigError(
            f"{CONFIG_KEY}: the settings of {', '.join(map(repr, bad))} must be JSON objects "
            f"of setting → value"
        )
    return {name: dict(layer) for name, layer in raw.items()}


def check_global_config(raw) -> None:
    """Refuse a ``PLUGIN_SETTINGS`` that is malformed, names an unknown plugin or holds an
    invalid value. Called at app start, so a bad deployment fails before serving anything."""
    config = parse_global_config(raw)
    pm = get_manager()
    unknown = sorted(name for name in config if pm.get_plugin(name) is None)
    if unknown:
        installed = ", ".join(sorted(installed_plugins())) or "none"
        raise PluginSettingsConfigError(
            f"{CONFIG_KEY} names plugins that are not installed: {', '.join(unknown)} "
            f"(installed: {installed})"
        )
    for name, layer in config.items():
        _load_global(name, schema_for(name), layer)


def global_overrides(plugin_name: str) -> dict:
    """The operator's overrides of ``plugin_name`` for every tenant (``PLUGIN_SETTINGS``)."""
    if not has_app_context():
        return {}
    return parse_global_config(current_app.config.get(CONFIG_KEY)).get(plugin_name, {})


def tenant_overrides(plugin_name: str) -> dict:
    """The current tenant's overrides of ``plugin_name`` (no tenant → ``TenancyError``)."""
    row = find_row(plugin_name)
    return dict(row.settings or {}) if row is not None else {}


def _load(plugin_name: str, schema: Schema | None, data: Mapping, where: str) -> dict:
    if schema is None:
        if data:
            errors = {key: ["Unknown field (the plugin has no settings)."] for key in data}
            raise PluginSettingsError(plugin_name, errors, where)
        return {}
    try:
        return schema.load(data, unknown=RAISE)
    except ValidationError as exc:
        raise PluginSettingsError(plugin_name, exc.messages, where) from None


def _load_global(plugin_name: str, schema: Schema | None, layer: Mapping) -> dict:
    try:
        return _load(plugin_name, schema, layer, f"settings in {CONFIG_KEY}")
    except PluginSettingsError as exc:
        raise PluginSettingsConfigError(exc.message) from None


def validate_overrides(plugin_name: str, overrides) -> dict:
    """Check a tenant's overrides of ``plugin_name``; return them normalised by the schema.

    The overrides are validated on top of the global layer, as they would be used. Unknown
    fields are refused. Needs no tenant. Raises :class:`PluginSettingsError` (422) naming the
    plugin and each bad field with its reason.
    """
    if not isinstance(overrides, Mapping):
        raise PluginSettingsError(
            plugin_name, {"_schema": [f"must be an object, got {type(overrides).__name__}"]}
        )
    schema = schema_for(plugin_name)
    merged = {**global_overrides(plugin_name), **overrides}
    loaded = _load(plugin_name, schema, merged, "settings")
    if schema is None:
        return {}
    # Store what the schema would produce ("5" → 5), keyed as the tenant wrote them.
    dumped = schema.dump(loaded)
    return {key: dumped.get(key, overrides[key]) for key in overrides}


def settings_version(plugin_name: str) -> int:
    """The version of the current tenant's row of ``plugin_name`` (its overrides and, for an
    installed plugin, whether it is enabled); 0 when the tenant never configured it."""
    return versioning.current_version(find_row(plugin_name))


def set_overrides(plugin_name: str, overrides, expected_version: int | None = None) -> dict:
    """Replace the current tenant's overrides of plugin ``plugin_name`` (an installed one, or
    a built-in one that declares settings).

    Validates first: when anything is invalid, :class:`PluginSettingsError` is raised and
    nothing is written. Pass ``{}`` to go back to the global values and defaults. Returns
    the stored overrides. The caller commits.

    A compare-and-set: ``expected_version`` is the :func:`settings_version` the caller read;
    when the row has changed since (or a concurrent first write created it) nothing is
    written and the answer is a 409 naming ``version``. Flushes.
    """
    check_configurable(plugin_name)
    clean = validate_overrides(plugin_name, overrides)
    versioning.check_row_version(find_row(plugin_name), expected_version, "settings record")
    row = ensure_settings_row(plugin_name)
    row.settings = dict(clean)  # a new object: the JSON column sees the change
    _forget_cached(plugin_name)
    versioning.flush_first_write("settings record")
    return clean


def explain_settings(plugin_name: str) -> dict[str, tuple[object, str]]:
    """The current tenant's effective settings with where each value comes from:
    ``{name: (value, "default" | "global" | "tenant")}``, in the schema's field order."""
    schema = schema_for(plugin_name)
    if schema is None:
        tenant_layer = tenant_overrides(plugin_name)
        _load(plugin_name, None, tenant_layer, "tenant settings")
        return {}
    global_layer = global_overrides(plugin_name)
    _load_global(plugin_name, schema, global_layer)
    tenant_layer = tenant_overrides(plugin_name)
    loaded = _load(plugin_name, schema, {**global_layer, **tenant_layer}, "tenant settings")
    explained = {}
    for key, attr in _input_keys(schema).items():
        if attr not in loaded:
            continue
        source = "tenant" if key in tenant_layer else "global" if key in global_layer else "default"
        explained[attr] = (loaded[attr], source)
    return explained


def _cache_key(plugin_name: str) -> str:
    return f"_dangjian_plugin_settings_{current_tenant_id()}_{plugin_name}"


def _forget_cached(plugin_name: str) -> None:
    if has_request_context():
        g.pop(_cache_key(plugin_name), None)


def effective_settings(plugin_name: str) -> dict:
    """The settings ``plugin_name`` runs with for the current tenant: its defaults, then the
    global overrides, then the tenant's, loaded through its schema (cached per request)."""
    key = _cache_key(plugin_name)  # also refuses to run without a tenant
    if has_request_context() and hasattr(g, key):
        return dict(getattr(g, key))
    values = {name: value for name, (value, _) in explain_settings(plugin_name).items()}
    if has_request_context():
        setattr(g, key, values)
    return dict(values)


def untenanted_settings(plugin_name: str) -> dict:
    """The settings outside any tenant: the plugin's defaults overlaid with the operator's
    global overrides, loaded through its schema. What declarations read when nothing is
    being done for a city (start-up checks, the catalogue of templates)."""
    schema = schema_for(plugin_name)
    if schema is None:
        return {}
    return schema.load({**defaults(plugin_name), **global_overrides(plugin_name)})
