"""Hook specifications: the whole contract between core and a plugin.

Each docstring here is the plugin author's documentation for that hook (``docs/plugins.md``
documents the same hooks with the same signatures; a test keeps the two in step). Implement a
hook with ``core.sdk.hookimpl``; a misspelt hook name fails at start-up (``pm.check_pending()``).

A plugin gives data, not patches: it returns sectors, schemas, blueprints, jobs and
migrations; core decides when to call it and for which tenant. Hooks that return per-tenant
data are called only for tenants that enabled the plugin.
"""

from __future__ import annotations

import pluggy

PROJECT = "dangjian"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def dangjian_sectors():
    """Return the sectors (领域) this plugin provides, as a list of :class:`core.sdk.Sector`.

    A sector has a ``key`` (``"rural"``), a Chinese ``name`` (``"农村"``) and the national
    党组织类别 codes (1–9) it corresponds to, used by Party statistics. Organisations are
    assigned to a sector by key; core knows no sector by name. Called per tenant: a plugin
    disabled for a tenant offers no sector there.
    """


@hookspec
def dangjian_settings_schema():
    """Return a marshmallow ``Schema`` (class or instance) declaring this plugin's settings.

    Every field must have a ``load_default``: that is the plugin's default. Operators can
    override a setting globally (the ``PLUGIN_SETTINGS`` config, a JSON object keyed by plugin
    name) and per tenant (``[plugin_settings.<name>]`` in ``tenants/<slug>.toml`` or
    ``dangjian plugins set``). The merged result is validated with this schema, unknown keys
    included; a bad value is refused with the plugin, the field and the reason. Values are
    stored as JSON, so use fields that load from and dump to JSON (``Int``, ``Float``,
    ``Str``, ``Bool``, ``List``, ``Dict``). Read settings with
    :func:`core.sdk.plugin_settings`. Called whenever settings are read or checked; a plugin
    without settings does not implement it.
    """


@hookspec
def dangjian_register_api(api):
    """Register this plugin's API blueprints on ``api`` (a ``flask_smorest.Api``).

    Use ``core.sdk.Blueprint`` and ``api.register_blueprint(bp, url_prefix="/api/v1/...")``.
    Routes of a plugin that a tenant has not enabled answer 404 for that tenant, so a
    disabled plugin shows nothing. Called once, at app creation.
    """


@hookspec
def dangjian_register_cli(cli):
    """Add click commands or groups to the ``dangjian`` command (``cli`` is its click group).

    Use ``cli.add_command(group)`` with a group named after the plugin (``dangjian rural
    ...``); decorate commands that touch the database with ``flask.cli.with_appcontext`` and
    run tenant work inside ``tenant_context``. Called once, when the command line starts, for
    every installed plugin whatever tenants enabled it. Return nothing.
    """


@hookspec
def dangjian_jobs():
    """Return a ``{name: function}`` dict of background jobs this plugin runs.

    A job function is called as ``function(ctx, **kwargs)`` inside the app context and the
    tenant context of the job, acting as ``job:<name>`` for the user who started it. ``ctx``
    is a :class:`core.sdk.JobContext`: ``ctx.progress(percent, message)`` reports progress,
    ``ctx.tenant_id`` / ``ctx.job_id`` identify the run, ``ctx.attempt`` counts from 1;
    ``kwargs`` are the JSON arguments the job was started with. Return a JSON-serialisable
    result. Do not commit: the job's writes are committed together with its result when it
    returns, and rolled back when it fails. Raise :class:`core.sdk.TransientJobError` for a
    failure worth retrying (a lock, a timeout; a lost database or Redis connection counts
    too): the job runs again, up to ``JOB_MAX_RETRIES`` times. Any other exception fails the
    job at once with its message. Names are global: prefix them with the plugin name
    (``"rural.recompute_income"``); two plugins declaring one name stop start-up. Called
    whenever a job is looked up (queued or run); a plugin's jobs exist only for tenants that
    enabled it.
    """


@hookspec
def dangjian_migrations():
    """Return the path of this plugin's Alembic ``versions`` directory, or ``None``.

    Plugin tables are created only through migrations, never ``create_all``. Give the first
    revision ``down_revision = None``, ``branch_labels = ("<plugin name>",)`` and
    ``depends_on`` the core revision it builds on (``"0001_core"`` or later); prefix revision
    ids with the plugin name, they share one namespace with core's. ``dangjian db upgrade``
    applies every branch. Every table with a ``tenant_id`` column gets the row-level security
    policy automatically after each upgrade. Called whenever Alembic is configured (each
    ``dangjian db`` command), for every installed plugin, enabled by any tenant or not.
    """


@hookspec
def dangjian_warning_rules():
    """Return a list of :class:`core.sdk.WarningRule`: the warnings (预警) this plugin raises.

    A rule's ``check(ctx)`` looks at the whole tenant at once with aggregate queries and
    returns every :class:`core.sdk.Finding`; the engine opens, keeps and resolves warnings
    from them. Keys are global: prefix them with the plugin name. ``params`` declares the
    thresholds (with their national defaults) a tenant may change. Called per tenant, on
    every sweep: a plugin disabled for a tenant raises nothing there.
    """


@hookspec(historic=True)
def dangjian_app_configured(app):
    """Called once the Flask ``app`` is fully configured (historic: a plugin registered
    later is still called). Use it for app-wide set-up such as template globals; keep it
    quick, it runs at every start.
    """


@hookspec
def dangjian_org_attributes(sector, kind):
    """Return a marshmallow ``Schema`` (class or instance) for the sector attributes of
    organisations of sector ``sector`` (a sector key this plugin provides) and kind ``kind``
    (``"committee"``, ``"general_branch"``, ``"branch"``, ``"joint_branch"``, ``"group"``),
    or ``None`` when the plugin declares none for them.

    Sector attributes are the data only a sector has (a village branch's 村民小组 count, an
    enterprise's 党建入章 flag); they are stored as JSON in ``Organization.attributes``, so
    use fields that load from and dump to JSON, and mark a field ``required`` only when every
    such organisation must have it. Core calls the hook whenever an organisation's
    attributes are written (create, update, a change of sector or kind), only for plugins
    the tenant enabled, and validates the attributes with every schema returned: each
    schema checks the keys it declares, a key no schema declares is refused, and errors are
    answered per field as ``attributes.<field>``. What is stored is the schema's ``dump`` of
    what it loaded.
    """


@hookspec
def dangjian_unit_attributes(sector, unit_type):
    """Return a marshmallow ``Schema`` (class or instance) for the attributes of the
    non-Party units (单位: a village, an enterprise, a social organisation…) of type
    ``unit_type`` that organisations of sector ``sector`` serve, or ``None``.

    Unit types are core's (``"village"``, ``"community"``, ``"enterprise"``,
    ``"social_organisation"``, ``"government_organ"``, ``"soe"``, ``"school"``,
    ``"public_institution"``, ``"other"``). Validation works exactly as for
    ``dangjian_org_attributes``: every schema the tenant's enabled plugins return checks its
    own keys, a key none declares is refused, errors come back as ``attributes.<field>``, and
    what is stored is the schemas' ``dump``. Called whenever a unit's attributes are written.
    """


@hookspec
def dangjian_indicators():
    """Return a list of :class:`core.sdk.Indicator`: the assessment indicators (指标) this
    plugin provides.

    An indicator reads data, scores it one of five ways (``threshold``, ``proportional``,
    ``checklist``, ``manual``, ``deduction``) and explains each score. Its ``measure(ctx)``
    is called once per assessment cycle for **all** organisations assessed under it
    (``ctx.orgs`` is a SELECT of their ids) and returns ``{org_id: Measurement}`` from a few
    aggregate queries — never a query per organisation. ``params`` declares the parameters a
    standard may change (``target``, ``per_unit``…), each with its default. Keys are global:
    prefix them with the plugin name. Called per tenant: a disabled plugin's indicators do
    not exist there (standards that use them skip them, and say so).
    """


@hookspec
def dangjian_standards():
    """Return a list of :class:`core.sdk.StandardTemplate`: the default standards (标准) this
    plugin ships — named sets of indicators with weights adding up to 100, for a sector and
    kinds of organisation. Tenant administrators copy a template into their own versioned
    standard and change weights, parameters and indicators there; a template itself never
    changes a tenant's numbers. Keys are global: prefix them with the plugin name. Called per
    tenant, for enabled plugins.
    """


@hookspec
def dangjian_point_rules():
    """Return a list of :class:`core.sdk.PointRule`: the member point rules (积分规则) this
    plugin provides — points per deed, a yearly cap, and optionally a set-based
    ``collect(ctx)`` that finds the deeds in existing records (attendance, payments) so
    nobody types them in. Keys are global: prefix them with the plugin name. Called per
    tenant, for enabled plugins; tenant administrators may switch a rule off or change its
    points and cap.
    """


@hookspec
def dangjian_demo_data(today):
    """Fill the demo city (``dangjian demo``) with plausible data for this plugin's sector.

    Called inside the demo tenant, after core has created the demo organisation tree (every
    sector has a committee and branches there: find yours with
    ``select(Organization).where(Organization.sector == "<key>")``), its members and this
    year's meetings of every branch, and before the demo's assessment cycle runs, so this plugin's indicators and warnings have
    something to show. ``today`` is the demo's date. Must be idempotent: the demo command
    runs again on an existing database, so add only what is missing. Write through your own
    services (and :func:`core.sdk.set_org_attributes` for organisation attributes); do not
    commit. Return a short description of what was added (``"2 villages' incomes"``) or
    ``None``. Called only for plugins the demo tenant enabled.
    """


@hookspec
def dangjian_statistics_tables():
    """Return a list of :class:`core.sdk.StatisticsTable`: 党内统计 tables this plugin adds
    from its own records (two_new: the register's units with and without a Party
    organisation).

    Each table's ``spec(root, year, period)`` returns a :class:`core.sdk.StatisticsSpec`: a
    base SELECT bounded by ``root``'s subtree, the columns a drill-down lists, and a SQL
    condition per row and column; core counts and lists them as it does its own tables, so a
    drill-down always matches its figure. Keys are global: prefix them with the plugin name.
    Called per tenant: a disabled plugin's tables do not appear.
    """
