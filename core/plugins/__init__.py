"""The plugin system: pluggy, with sector plugins found through the ``dangjian.plugins``
entry-point group and core's own features registered as default plugins (datasette's way).

* :mod:`.hookspecs` — every hook, with the plugin author's documentation as its docstring.
* :mod:`.manager` — the plugin manager, per-tenant enablement, and calling hooks for a tenant.
* :mod:`.settings` — per-plugin settings: plugin defaults → global → tenant, validated.
"""
