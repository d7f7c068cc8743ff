"""Disabling the soe plugin for a tenant hides everything it adds and deletes nothing;
enabling it again brings it all back; a tenant that never enabled it sees none of it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment import registry
from core.db import db
from core.plugins import service as plugin_service
from core.warnings import engine
from plugins.soe.indicators import indicators
from plugins.soe.models import Decision
from tests.sectors.soe import builders as b

API = "/api/v1/soe"
SOE_INDICATORS = {i.key for i in indicators()}


def _enabled(in_tenant, tenant, on: bool):
    with in_tenant(tenant):
        plugin_service.set_enabled("soe", on)
        db.session.commit()


def _indicators(in_tenant, tenant) -> set:
    with in_tenant(tenant):
        return set(registry.tenant_indicators()) & SOE_INDICATORS


def test_disable_hides_and_keeps(client, tenant, tenant_b, in_tenant, enterprises, org, login, auth_headers):
    admin = login()
    today = date.today()
    with in_tenant(tenant):
        b.attributes(org("J"), enterprise_level="second", charter_includes_party_building=False)
        decision = b.decision(org("J"), "发行中期票据", None, today)
        decision_id = decision.id
        db.session.commit()
        engine.sweep(today, ["soe.charter_missing", "soe.decision_without_review"])
        db.session.commit()

    def visible() -> dict:
        return {
            "decisions": client.get(f"{API}/decisions", headers=admin).status_code,
            "decision": client.get(f"{API}/decisions/{decision_id}", headers=admin).status_code,
            "links": client.get(f"{API}/performance-links", headers=admin).status_code,
            "warnings": sorted(w["rule_key"] for w in client.get(
                "/api/v1/warnings", headers=admin, query_string={"org_id": str(enterprises["J"])}).get_json()),
            "attributes": client.get(f"/api/v1/orgs/{enterprises['J']}", headers=admin).get_json()["attributes"],
        }

    shown = visible()
    assert shown["decisions"] == shown["decision"] == shown["links"] == 200
    assert shown["warnings"] == ["soe.charter_missing", "soe.decision_without_review"]
    assert shown["attributes"] == {"enterprise_level": "second", "charter_includes_party_building": False}
    assert _indicators(in_tenant, tenant) == SOE_INDICATORS

    _enabled(in_tenant, tenant, False)
    hidden = visible()
    assert hidden == {"decisions": 404, "decision": 404, "links": 404, "warnings": [], "attributes": {}}
    assert client.post(f"{API}/decisions", headers=admin, json={
        "org_id": str(enterprises["C"]), "title": "x", "category": "major_decision",
        "decided_on": "2025-01-01"}).status_code == 404
    assert _indicators(in_tenant, tenant) == set()
    # another write of the organisation keeps the hidden attributes
    assert client.patch(f"/api/v1/orgs/{enterprises['J']}", headers=admin,
                        json={"contact": "交投集团党委办"}).status_code == 200
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 1

    _enabled(in_tenant, tenant, True)
    assert visible() == shown
    assert _indicators(in_tenant, tenant) == SOE_INDICATORS

    # a tenant that never enabled the plugin sees none of it
    other = auth_headers(tenant_b)
    assert client.get(f"{API}/decisions", headers=other).status_code == 404
    assert client.get(f"{API}/decisions/{decision_id}", headers=other).status_code == 404
    assert _indicators(in_tenant, tenant_b) == set()
