"""Disabling the community plugin hides everything it adds and deletes nothing; enabling it
again brings it all back. A tenant that never enabled it sees none of it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment import registry
from core.db import db
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.sdk import set_org_attributes
from core.warnings import engine
from plugins.community import service
from plugins.community.indicators import indicators
from plugins.community.models import Grid

KEYS = {i.key for i in indicators()}


def _set(tenant, in_tenant, enabled: bool):
    with in_tenant(tenant):
        plugin_service.set_enabled("community", enabled)
        db.session.commit()


def _visible(client, headers, city):
    grids = client.get(f"/api/v1/community/grids?org_id={city.community}", headers=headers)
    warnings = client.get("/api/v1/warnings?rule=community.worker_staffing", headers=headers).get_json()
    attributes = client.get(f"/api/v1/orgs/{city.community}", headers=headers).get_json()["attributes"]
    return grids.status_code, len(warnings), attributes


def test_disabling_hides_and_keeps_everything(client, community_city, in_tenant, auth_headers):
    city = community_city
    with in_tenant(city.tenant):
        community = orgs.get(city.community)
        set_org_attributes(community, {"population": 9200, "community_workers": 10})
        service.create_grid(community, {"name": "一网格", "branch_org_id": city.branch})
        engine.sweep(date.today())
        db.session.commit()
    admin = auth_headers(city.tenant)
    shown = _visible(client, admin, city)
    assert shown == (200, 1, {"population": 9200, "community_workers": 10})

    _set(city.tenant, in_tenant, False)
    assert _visible(client, admin, city) == (404, 0, {})
    assert client.get("/api/v1/community/overview", headers=admin).status_code == 404
    with in_tenant(city.tenant):
        assert not KEYS & set(registry.tenant_indicators())
        assert db.session.scalar(select(func.count()).select_from(Grid)) == 1
        assert orgs.get(city.community).attributes["population"] == 9200
    # a write of other attributes while disabled keeps the hidden ones
    response = client.patch(f"/api/v1/orgs/{city.community}", json={"name": "幸福社区党委（新）"}, headers=admin)
    assert response.status_code == 200

    _set(city.tenant, in_tenant, True)
    assert _visible(client, admin, city) == shown
    with in_tenant(city.tenant):
        assert KEYS <= set(registry.tenant_indicators())


def test_a_tenant_without_the_plugin_sees_none_of_it(client, community_city, tenant_b, in_tenant, auth_headers):
    with in_tenant(community_city.tenant):
        grid = service.create_grid(orgs.get(community_city.community), {"name": "一网格"})
        db.session.commit()
        grid_id = grid.id
    other = auth_headers(tenant_b)
    assert client.get("/api/v1/community/grids", headers=other).status_code == 404
    assert client.get(f"/api/v1/community/grids/{grid_id}", headers=other).status_code == 404
    assert client.post("/api/v1/community/grids", json={"org_id": str(community_city.community), "name": "x"},
                       headers=other).status_code == 404
    with in_tenant(tenant_b):
        assert not KEYS & set(registry.tenant_indicators())
        assert "community.community_standard" not in registry.tenant_templates()
