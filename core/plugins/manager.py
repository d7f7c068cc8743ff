"""The plugin manager, and which plugins a tenant has enabled.

Two kinds of plugin are registered:

* **default plugins** — core's own features (auth, audit, jobs, …) written as plugins, the way
  datasette does it. Always on; a tenant cannot disable them.
* **installed plugins** — found through the ``dangjian.plugins`` entry-point group (the five
  sector plugins of this repo, or anything a third party pip-installs). Each tenant chooses
  which of them are enabled; a disabled one contributes nothing to that tenant.
"""

from __future__ import annotations

import importlib
from functools import cache

import pluggy

from core.plugins import hookspecs

ENTRY_POINT_GROUP = "dangjian.plugins"

DEFAULT_PLUGINS = (
    "core.tenancy.plugin",
    "core.auth.plugin",
    "core.orgs.plugin",
    "core.members.plugin",
    "core.audit.plugin",
    "core.jobs.plugin",
    "core.plugins.plugin",
    "core.excel.plugin",
    "core.transfers.plugin",
    "core.development.plugin",
    "core.dues.plugin",
    "core.warnings.plugin",
    "core.life.plugin",
    "core.elections.plugin",
    "core.assessment.plugin",
    "core.points.plugin",
    "core.problems.plugin",
    "core.demo.plugin",
    "core.seed.plugin",
    "core.protection.plugin",
    "core.statistics.plugin",
    "core.pairings.plugin",
    "core.brands.plugin",
    "core.reviews.plugin",
    "core.archives.plugin",
)


def build_manager() -> pluggy.PluginManager:
    """A fresh manager with the default plugins and every installed entry-point plugin."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()  # a misspelt hook name fails loudly here
    return pm


@cache
def get_manager() -> pluggy.PluginManager:
    """The process-wide manager (built on first use, so importing core loads no plugin)."""
    return build_manager()


def installed_plugins(pm: pluggy.PluginManager | None = None) -> dict[str, object]:
    """Installed (tenant-selectable) plugins by name: everything that is not a default."""
    pm = pm or get_manager()
    return {
        name: plugin
        for name, plugin in pm.list_name_plugin()
        if name not in DEFAULT_PLUGINS
    }


def plugin_version(name: str, pm: pluggy.PluginManager | None = None) -> str | None:
    """The version of the distribution that installed plugin ``name``, if known."""
    pm = pm or get_manager()
    for plugin, dist in pm.list_plugin_distinfo():
        if pm.get_name(plugin) == name:
            return dist.version
    return None


def call_for_each(hook_name: str, pm: pluggy.PluginManager | None = None, **kwargs):
    """Call a hook implementation by implementation: yields ``(plugin_name, result)``.

    For hooks whose answer only means something together with who gave it (settings schemas,
    migration folders, blueprints).
    """
    pm = pm or get_manager()
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        if result is not None:
            yield impl.plugin_name, result
