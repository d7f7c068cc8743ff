"""Which jobs exist: the ``dangjian_jobs`` hook of every plugin, merged into one namespace.

Names are global, so two plugins declaring one name is a start-up error naming both
(:func:`check` runs when the app is created). The registry is read afresh on each lookup — it
is a handful of dict merges — so a plugin registered later (tests do this) is seen.
A job of an installed plugin the current tenant has not enabled does not exist for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pluggy

from core.plugins.manager import call_for_each, installed_plugins


class JobRegistryError(RuntimeError):
    """A plugin declared jobs badly (a duplicate name, a non-callable)."""


class UnknownJob(LookupError):
    """No job of this name, or none the current tenant may run."""

    def __init__(self, name: str, reason: str):
        super().__init__(reason)
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class JobSpec:
    name: str
    plugin: str
    function: Callable


def all_jobs(pm: pluggy.PluginManager | None = None) -> dict[str, JobSpec]:
    """Every declared job by name, across all plugins (enabled or not)."""
    specs: dict[str, JobSpec] = {}
    for plugin, jobs in call_for_each("dangjian_jobs", pm):
        if not isinstance(jobs, Mapping):
            raise JobRegistryError(
                f"plugin {plugin!r}: dangjian_jobs must return a dict of name -> function, "
                f"got {type(jobs).__name__}"
            )
        for name, function in jobs.items():
            if not isinstance(name, str) or not name.strip():
                raise JobRegistryError(f"plugin {plugin!r}: job name {name!r} is not a name")
            if not callable(function):
                raise JobRegistryError(f"plugin {plugin!r}: job {name!r} is not callable")
            if name in specs:
                raise JobRegistryError(
                    f"job {name!r} is declared by both plugin {specs[name].plugin!r} and "
                    f"plugin {plugin!r}; job names are global, prefix them with the plugin name"
                )
            specs[name] = JobSpec(name=name, plugin=plugin, function=function)
    return specs


def check(pm: pluggy.PluginManager | None = None) -> int:
    """Validate the registry (raises :class:`JobRegistryError`); returns the number of jobs."""
    return len(all_jobs(pm))


def job_for_tenant(name: str) -> JobSpec:
    """The job ``name`` if the current tenant may run it, else :class:`UnknownJob`."""
    from core.plugins.service import enabled_plugins

    spec = all_jobs().get(name)
    if spec is None:
        raise UnknownJob(name, f"unknown job {name!r}")
    if spec.plugin in installed_plugins() and spec.plugin not in enabled_plugins():
        raise UnknownJob(
            name, f"job {name!r} belongs to plugin {spec.plugin!r}, not enabled for this tenant"
        )
    return spec
