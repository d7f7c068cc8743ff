"""Disabling the rural plugin for a tenant hides everything it adds and deletes nothing;
enabling it again brings it all back; a tenant that never enabled it sees none of it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment import registry
from core.db import db
from core.plugins import service as plugin_service
from core.warnings import engine
from plugins.rural.models import CollectiveIncome
from tests.sectors.rural import builders as b

API = "/api/v1/rural"
RURAL_INDICATORS = {"rural.collective_income", "rural.service_centre", "rural.first_secretary",
                    "rural.recruitment", "rural.duty_share", "rural.mobile_contact"}


def _enabled(in_tenant, tenant, on: bool):
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", on)
        db.session.commit()


def _indicators(in_tenant, tenant) -> set:
    with in_tenant(tenant):
        return set(registry.tenant_indicators()) & RURAL_INDICATORS


def test_disable_hides_and_keeps(client, tenant, tenant_b, in_tenant, villages, org, login, auth_headers):
    admin = login()
    with in_tenant(tenant):
        b.attributes(org("B"), key_village=True, households=380)
        income = b.income(org("B"), date.today().year - 1, "3.20")
        income_id = income.id
        db.session.commit()
        engine.sweep(date.today(), ["rural.collective_income_low", "rural.first_secretary_missing"])
        db.session.commit()

    def visible() -> dict:
        return {
            "incomes": client.get(f"{API}/incomes", headers=admin).status_code,
            "income": client.get(f"{API}/incomes/{income_id}", headers=admin).status_code,
            "options": client.get(f"{API}/options", headers=admin).status_code,
            "warnings": sorted(w["rule_key"] for w in client.get(
                "/api/v1/warnings", headers=admin, query_string={"org_id": str(villages["B"])}).get_json()),
            "attributes": client.get(f"/api/v1/orgs/{villages['B']}", headers=admin).get_json()["attributes"],
        }

    shown = visible()
    assert shown["incomes"] == shown["income"] == shown["options"] == 200
    assert shown["warnings"] == ["rural.collective_income_low", "rural.first_secretary_missing"]
    assert shown["attributes"] == {"key_village": True, "households": 380}
    assert _indicators(in_tenant, tenant) == RURAL_INDICATORS

    _enabled(in_tenant, tenant, False)
    hidden = visible()
    assert hidden == {"incomes": 404, "income": 404, "options": 404, "warnings": [], "attributes": {}}
    assert client.post(f"{API}/incomes", headers=admin, json={
        "org_id": str(villages["A"]), "year": 2024, "operating_income_wan": "1"}).status_code == 404
    assert _indicators(in_tenant, tenant) == set()
    # another write of the organisation keeps the hidden attributes
    assert client.patch(f"/api/v1/orgs/{villages['B']}", headers=admin,
                        json={"contact": "李书记"}).status_code == 200
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(CollectiveIncome)) == 1

    _enabled(in_tenant, tenant, True)
    assert visible() == shown
    assert _indicators(in_tenant, tenant) == RURAL_INDICATORS

    # a tenant that never enabled the plugin sees none of it
    other = auth_headers(tenant_b)
    assert client.get(f"{API}/incomes", headers=other).status_code == 404
    assert client.get(f"{API}/incomes/{income_id}", headers=other).status_code == 404
    assert _indicators(in_tenant, tenant_b) == set()
