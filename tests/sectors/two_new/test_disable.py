"""Disabling the two_new plugin for a tenant hides everything it adds — routes, indicators,
warnings, organisation attributes — and deletes nothing: enabling it again brings all back.
A tenant that never enabled it sees none of it."""

from __future__ import annotations

from sqlalchemy import func, select

from core.assessment import registry
from core.db import db
from core.plugins import service as plugin_service
from core.warnings import engine
from plugins.two_new.models import TwoNewUnit
from tests.sectors.two_new.conftest import TODAY, org

BASE = "/api/v1/two_new"


def test_disabling_hides_and_keeps_everything(client, area, tenant, tenant_b, in_tenant, unit,
                                              auth_headers):
    from core.sdk import set_org_attributes

    with in_tenant(tenant):
        made = unit(name="恒通物流", party_members=5)
        unit_id = made.id
        set_org_attributes(org("XB", area), {"nine_haves": ["有党旗"]})
        db.session.commit()
        engine.sweep(TODAY, ["two_new.should_form_branch"])
        db.session.commit()
    admin = auth_headers(tenant)

    def visible() -> dict:
        with in_tenant(tenant):
            indicators = set(registry.tenant_indicators())
        warnings = client.get("/api/v1/warnings?rule=two_new.should_form_branch", headers=admin).get_json()
        return {
            "units": client.get(f"{BASE}/units", headers=admin).status_code,
            "unit": client.get(f"{BASE}/units/{unit_id}", headers=admin).status_code,
            "coverage": client.get(f"{BASE}/coverage?org={area['LX']}", headers=admin).status_code,
            "indicator": "two_new.org_coverage" in indicators,
            "warnings": len(warnings),
            "attributes": client.get(f"/api/v1/orgs/{area['XB']}", headers=admin).get_json()["attributes"],
        }

    def enable(on: bool):
        with in_tenant(tenant):
            plugin_service.set_enabled("two_new", on)
            db.session.commit()

    shown = visible()
    assert shown == {"units": 200, "unit": 200, "coverage": 200, "indicator": True, "warnings": 1,
                     "attributes": {"nine_haves": ["有党旗"]}}
    enable(False)
    assert visible() == {"units": 404, "unit": 404, "coverage": 404, "indicator": False, "warnings": 0,
                         "attributes": {}}
    assert client.post(f"{BASE}/units", headers=admin, json={
        "org_id": str(area["LX"]), "name": "x", "kind": "enterprise"}).status_code == 404
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(TwoNewUnit)) == 1
    enable(True)
    assert visible() == shown

    # a tenant that never enabled the plugin
    other = auth_headers(tenant_b)
    assert client.get(f"{BASE}/units", headers=other).status_code == 404
    assert client.get(f"{BASE}/units/{unit_id}", headers=other).status_code == 404
    with in_tenant(tenant_b):
        assert not any(key.startswith("two_new.") for key in registry.tenant_indicators())
