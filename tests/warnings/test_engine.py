"""The sweep: warnings open, persist as the same row, resolve and reopen; disabled and
failing rules; parameter overrides; duplicate keys; tenants kept apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.db import db
from core.orgs import service as orgs
from core.warnings import engine, registry, service
from core.warnings.models import OPEN, RESOLVED, RuleSetting, Warning
from tests.warnings.conftest import BAD_SQL, BROKEN, FLAGGED, TODAY, set_contact


def _warnings(rule="test.flagged"):
    return db.session.scalars(
        select(Warning).where(Warning.rule_key == rule).order_by(Warning.opened_at, Warning.id)
    ).all()


def test_lifecycle_open_keep_resolve_reopen(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        report = engine.sweep(TODAY, ["test.flagged"])
        db.session.commit()
        assert report.rule("test.flagged").opened == 1
        [first] = _warnings()
        assert (first.state, first.org_id, first.severity) == (OPEN, city["X"], "serious")
        assert first.message == "X支部 被标记" and first.subject_id is None
        first_id, first_seen = first.id, first.last_seen_at

        report = engine.sweep(TODAY, ["test.flagged"])
        db.session.commit()
        db.session.expire_all()
        assert report.rule("test.flagged").kept == 1 and report.rule("test.flagged").opened == 0
        [same] = _warnings()
        assert same.id == first_id and same.state == OPEN and same.last_seen_at > first_seen

        set_contact(city, "X", None)
        report = engine.sweep(TODAY, ["test.flagged"])
        db.session.commit()
        db.session.expire_all()
        assert report.rule("test.flagged").resolved == 1
        [gone] = _warnings()
        assert gone.state == RESOLVED and gone.resolved_at is not None

        set_contact(city, "X", "FLAG")
        engine.sweep(TODAY, ["test.flagged"])
        db.session.commit()
        db.session.expire_all()
        old, new = _warnings()
        assert old.id == first_id and old.state == RESOLVED
        assert new.id != first_id and new.state == OPEN


def test_figures_refresh_on_a_persisting_warning(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "Y", "FLAG")
        engine.sweep(TODAY)
        db.session.commit()
        orgs.get(city["Y"]).name = "Y支部（新）"
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
        db.session.expire_all()
        [w] = _warnings()
        assert w.figures == {"name": "Y支部（新）"} and w.message == "Y支部（新） 被标记"


def test_acknowledge_keeps_it_open(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        engine.sweep(TODAY)
        db.session.commit()
        [w] = _warnings()
        service.acknowledge(w, "已安排整改")
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
        db.session.expire_all()
        [w] = _warnings()
        assert w.state == OPEN and w.acknowledgement_note == "已安排整改"
        assert w.acknowledged_at is not None and w.acknowledged_by


def test_disabling_a_rule_resolves_its_warnings_and_raises_nothing(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        engine.sweep(TODAY)
        db.session.commit()
        service.update_rule("test.flagged", enabled=False)
        db.session.commit()
        db.session.expire_all()
        assert [w.state for w in _warnings()] == [RESOLVED]
        report = engine.sweep(TODAY)
        db.session.commit()
        assert report.rule("test.flagged").status == engine.DISABLED
        assert [w.state for w in _warnings()] == [RESOLVED]
        service.update_rule("test.flagged", enabled=True)
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
        db.session.expire_all()
        assert sorted(w.state for w in _warnings()) == [OPEN, RESOLVED]


def test_params_override_changes_the_outcome_and_is_audited(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        set_contact(city, "Z", "OTHER")
        engine.sweep(TODAY)
        db.session.commit()
        assert {w.org_id for w in _warnings() if w.state == OPEN} == {city["X"]}
        service.update_rule("test.flagged", params={"marker": "OTHER"})
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
        db.session.expire_all()
        assert {w.org_id for w in _warnings() if w.state == OPEN} == {city["Z"]}
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "warning_rule_settings")
        ).all()
        assert entries and entries[-1].after["params"] == {"marker": "OTHER"}
        assert registry.tenant_rules()["test.flagged"] is FLAGGED


def test_a_failing_rule_is_reported_and_the_others_still_run(city, tenant, in_tenant, rule_plugin):
    rule_plugin([BROKEN, BAD_SQL, FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        engine.sweep(TODAY, ["test.flagged"])
        db.session.commit()
        set_contact(city, "X", None)  # would resolve, but the rule fails this time
        set_contact(city, "Y", "FLAG")
        service.update_rule("test.flagged", params={"fail": True})
        db.session.commit()
        report = engine.sweep(TODAY)
        db.session.commit()
        statuses = {r.key: (r.status, r.error) for r in report.rules}
        assert statuses["test.broken"] == (engine.FAILED, "ValueError: boom")
        assert statuses["test.bad_sql"][0] == engine.FAILED
        assert statuses["test.flagged"] == (engine.FAILED, "RuntimeError: 规则出错")
        assert statuses["orgs.branch_too_small"][0] == engine.OK  # core rules ran after them
        assert db.session.scalars(select(Warning).where(Warning.rule_key == "orgs.branch_too_small")).all()
        assert [(w.org_id, w.state) for w in _warnings()] == [(city["X"], OPEN)]


def test_a_bad_stored_override_is_misconfigured_not_a_crash(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        engine.sweep(TODAY)
        db.session.add(RuleSetting(rule_key="test.flagged", enabled=True, params={"marker": 5, "x": 1}))
        db.session.commit()
        report = engine.sweep(TODAY)
        db.session.commit()
        r = report.rule("test.flagged")
        assert r.status == engine.MISCONFIGURED and "marker" in r.error
        assert [w.state for w in _warnings()] == [OPEN]


def test_duplicate_rule_keys_name_both_plugins(app_ctx, rule_plugin):
    rule_plugin([FLAGGED], name="first_rules")
    rule_plugin([FLAGGED], name="second_rules")
    with pytest.raises(registry.RuleRegistryError, match="first_rules.*second_rules"):
        registry.check()


def test_rules_of_a_plugin_the_tenant_did_not_enable_do_not_run(city, tenant, in_tenant, rule_plugin):
    rule_plugin([FLAGGED])  # installed, not enabled
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
        report = engine.sweep(TODAY)
        db.session.commit()
        assert "test.flagged" not in {r.key for r in report.rules}
        assert _warnings() == []
        with pytest.raises(KeyError, match="test.flagged"):
            engine.sweep(TODAY, ["test.flagged"])


def test_tenants_are_swept_apart(city, tenant, tenant_b, in_tenant, rule_plugin):
    rule_plugin([FLAGGED], tenants=[tenant, tenant_b])
    with in_tenant(tenant):
        set_contact(city, "X", "FLAG")
    with in_tenant(tenant_b):
        assert engine.sweep(TODAY).rule("test.flagged").opened == 0
        db.session.commit()
        assert _warnings() == []
    with in_tenant(tenant):
        assert engine.sweep(TODAY).rule("test.flagged").opened == 1
        db.session.commit()
    with in_tenant(tenant_b):
        assert db.session.scalars(select(Warning)).all() == []
