"""The hook contract: documented in the module and in docs/plugins.md alike, enforced at
registration, and honoured by the five sector plugins."""

from __future__ import annotations

import importlib.metadata
import inspect
import re
from pathlib import Path

import pluggy
import pytest

from core.plugins import hookspecs
from core.plugins.manager import (
    DEFAULT_PLUGINS,
    build_manager,
    call_for_each,
    installed_plugins,
    plugin_version,
)
from core.sdk import Sector, hookimpl

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SECTOR_PLUGINS = {
    "rural": ("农村", (3,)),
    "community": ("社区", (7,)),
    "organs": ("机关", (4,)),
    "two_new": ("两新", (2, 8)),
    "soe": ("国企", (1,)),
}


def _hookspecs() -> dict[str, object]:
    marker = f"{hookspecs.PROJECT}_spec"
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, marker)
    }


def test_the_module_declares_the_hooks_core_calls():
    assert {
        "dangjian_sectors",
        "dangjian_settings_schema",
        "dangjian_register_api",
        "dangjian_register_cli",
        "dangjian_jobs",
        "dangjian_migrations",
        "dangjian_app_configured",
    } <= set(_hookspecs())


@pytest.mark.parametrize("name", sorted(_hookspecs()))
def test_every_hookspec_has_a_real_docstring(name):
    doc = inspect.getdoc(_hookspecs()[name]) or ""
    assert len(doc.split()) >= 25, f"{name}: the docstring is the plugin author's documentation"
    assert "call" in doc.lower(), f"{name}: say when core calls the hook"


def test_docs_document_every_hook_with_its_exact_signature():
    documented = re.findall(r"^### `(dangjian_\w+\(.*\))`\s*$", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    expected = [f"{name}{inspect.signature(fn)}" for name, fn in _hookspecs().items()]
    assert sorted(documented) == sorted(expected)
    assert len(documented) == len(set(documented)), "a hook is documented twice"


def test_a_misspelt_hook_implementation_fails_the_check():
    class Misspelt:
        @hookimpl
        def dangjian_sectorz(self):
            return [Sector(key="typo", name="错字")]

    pm = build_manager()
    pm.register(Misspelt(), name="misspelt")
    with pytest.raises(pluggy.PluginValidationError, match="dangjian_sectorz"):
        pm.check_pending()


def test_an_implementation_with_the_wrong_arguments_is_refused():
    class WrongArgs:
        @hookimpl
        def dangjian_register_api(self, app):
            raise AssertionError("never called")

    pm = build_manager()
    with pytest.raises(pluggy.PluginValidationError, match="app"):
        pm.register(WrongArgs(), name="wrong_args")


def test_the_five_sector_plugins_are_installed_through_entry_points():
    installed = installed_plugins()
    assert set(SECTOR_PLUGINS) <= set(installed)
    assert not set(DEFAULT_PLUGINS) & set(installed)
    version = importlib.metadata.version("dangjian")
    for name in SECTOR_PLUGINS:
        assert plugin_version(name) == version


def test_each_sector_plugin_offers_its_sector_and_settings():
    sectors = dict(call_for_each("dangjian_sectors"))
    schemas = dict(call_for_each("dangjian_settings_schema"))
    for name, (label, codes) in SECTOR_PLUGINS.items():
        assert [(s.key, s.name, s.category_codes) for s in sectors[name]] == [
            (name, label, codes)
        ]
        schema = schemas[name]()
        assert schema.fields, f"{name} declares no settings"
        for field_name, field in schema.fields.items():
            assert field.metadata.get("description"), f"{name}.{field_name} is undocumented"


def test_docs_list_everything_the_sdk_offers():
    import core.sdk

    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in core.sdk.__all__ if f"`{name}`" not in text]
    assert not missing, f"docs/plugins.md does not mention {missing}"


@pytest.mark.parametrize("sector", ["rural", "community", "organs", "two_new", "soe"])
def test_each_sector_page_documents_every_setting(sector):
    from core.plugins import settings

    page = (DOCS.parent / "sectors" / f"{sector}.md").read_text(encoding="utf-8")
    missing = [key for key in settings.defaults(sector) if f"`{key}`" not in page]
    assert not missing, f"docs/sectors/{sector}.md does not document {missing}"
