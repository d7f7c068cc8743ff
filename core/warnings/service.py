"""What the API, the CLI and other slices call: acknowledging warnings, the rules a tenant
has with their effective parameters, and changing a rule's settings.

Rule settings are :class:`~core.warnings.models.RuleSetting` rows, so every change is in the
audit log (who, when, before and after) without anything written here.
"""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import select, update

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db, versioning
from core.db.mixins import utcnow
from core.warnings import engine, registry
from core.warnings.models import RuleSetting, Warning


def acknowledge(warning: Warning, note: str | None, expected_version: int | None = None) -> Warning:
    """Record that someone has seen ``warning`` (open or resolved), with an optional note.

    Acknowledging does not resolve: only the data clearing does. A later acknowledgement
    replaces an earlier one it has seen: one compare-and-set UPDATE on the warning's
    ``version`` (the one the caller read, ``expected_version``, else the one loaded here),
    so of two acknowledging at once the second gets a 409 naming ``version`` instead of
    silently replacing the first's note. The caller commits.
    """
    actor = current_actor()
    expected = warning.version if expected_version is None else expected_version
    done = db.session.execute(
        update(Warning)
        .where(Warning.id == warning.id, Warning.version == expected)
        .values(acknowledged_at=utcnow(),
                acknowledged_by=actor.label if actor is not None else "system",
                acknowledged_by_user_id=actor.user_id if actor is not None else None,
                acknowledgement_note=note, version=Warning.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(warning)
    if not done:
        versioning.stale("warning")
    return warning


def describe_rules() -> list[dict]:
    """The current tenant's rules: key, name, severity, subject, sectors, enabled, the
    national defaults, the tenant's overrides and the effective parameters (``None`` with
    an ``error`` when a stored override is no longer valid)."""
    stored = registry.settings()
    described = []
    for key, rule in registry.tenant_rules().items():
        setting = stored.get(key)
        overrides = dict(setting.params) if setting and setting.params else {}
        item = {
            "key": key,
            "name": rule.name,
            "severity": rule.severity,
            "subject": rule.subject,
            "sectors": list(rule.sectors),
            "message": rule.message,
            "enabled": setting.enabled if setting is not None else True,
            "version": versioning.current_version(setting),
            "defaults": registry.defaults(rule),
            "overrides": overrides,
            "params": None,
            "error": None,
        }
        try:
            item["params"] = registry.effective_params(rule, overrides)
        except ValidationError as exc:
            item["error"] = f"params: {exc.messages}"
        described.append(item)
    return described


def rule_or_none(key: str):
    return registry.tenant_rules().get(key)


def update_rule(key: str, enabled: bool | None = None, params: dict | None = None,
                expected_version: int | None = None) -> RuleSetting:
    """Change the current tenant's setting of rule ``key`` (the caller commits).

    ``params`` replaces the overrides (``{}`` restores the national defaults); each value is
    validated by the rule's schema — an error names ``params.<field>`` (422). Disabling a
    rule resolves its open warnings at once (a sweep would do the same).
    ``expected_version`` is the setting's version the caller read (0: never changed):
    another one is a 409 naming ``version``.
    """
    rule = registry.tenant_rules().get(key)
    if rule is None:
        raise ApiError(404, f"warning rule {key} not found")
    setting = db.session.scalar(select(RuleSetting).where(RuleSetting.rule_key == key))
    versioning.check_row_version(setting, expected_version, "warning rule setting")
    if setting is None:
        setting = RuleSetting(rule_key=key, enabled=True, params={})
        db.session.add(setting)
    if params is not None:
        try:
            registry.effective_params(rule, params)
        except ValidationError as exc:
            errors = {f"params.{field}": messages for field, messages in _by_field(exc).items()}
            raise ApiError(422, f"invalid parameters for rule {key}", errors) from None
        setting.params = dict(params)
    if enabled is not None:
        setting.enabled = enabled
    versioning.flush_first_write("warning rule setting")
    if enabled is False:
        engine.resolve_all(key)
    return setting


def _by_field(exc: ValidationError) -> dict:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return messages



def open_by_rule(root_path: str | None, visible) -> list[dict]:
    """Open warnings of a subtree (``root_path``; None: the tenant) that the WHERE clause
    ``visible`` lets the user see, counted by rule: ``[{rule_key, name, severity, count}]``,
    most first. One GROUP BY."""
    from sqlalchemy import func

    from core.orgs.models import Organization
    from core.orgs.service import subtree_filter

    conditions = [Warning.state == "open", visible, registry.shown_condition()]
    if root_path is not None:
        conditions.append(subtree_filter(root_path))
    rows = db.session.execute(
        select(Warning.rule_key, Warning.severity, func.count())
        .join(Organization, Organization.id == Warning.org_id)
        .where(*conditions)
        .group_by(Warning.rule_key, Warning.severity)
    ).all()
    rules = registry.tenant_rules()
    found = [
        {"rule_key": key, "name": rules[key].name if key in rules else key,
         "severity": severity, "count": int(n)}
        for key, severity, n in rows
    ]
    return sorted(found, key=lambda r: (-r["count"], r["rule_key"]))
