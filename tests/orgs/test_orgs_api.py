"""The organisation API: scoped to the user's grants, 404 outside them, validation by field."""

import json

import pytest
from sqlalchemy import func, select

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins import service as plugin_service
from tests.support.auth import error_fields


@pytest.fixture
def tree(tenant, in_tenant):
    """市委 R → 党委 C1 (支部 X with 党小组 G, 支部 Y), 党委 C2 (支部 Z). Returns codes → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        x = orgs.create(name="X支部", code="X", kind="branch", parent=c1, sector="rural")
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2, sector="rural")
        orgs.create(name="G小组", code="G", kind="group", parent=x)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


def _codes(response):
    assert response.status_code == 200, response.get_json()
    return [o["code"] for o in response.get_json()]


def test_tenant_admin_sees_the_whole_tree_in_tree_order(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant)
    codes = _codes(client.get("/api/v1/orgs", headers=headers))
    assert sorted(codes) == ["C1", "C2", "G", "R", "X", "Y", "Z"]
    assert codes[0] == "R"
    assert codes.index("X") < codes.index("G")  # a parent before its children


def test_filters_and_paging(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant)
    children = _codes(client.get(f"/api/v1/orgs?parent={tree['C1']}", headers=headers))
    assert sorted(children) == ["X", "Y"]
    assert sorted(_codes(client.get("/api/v1/orgs?kind=branch", headers=headers))) == ["X", "Y", "Z"]
    assert sorted(_codes(client.get("/api/v1/orgs?sector=rural", headers=headers))) == ["X", "Z"]
    page = client.get("/api/v1/orgs?page=2&page_size=3", headers=headers)
    assert len(_codes(page)) == 3
    assert json.loads(page.headers["X-Pagination"])["total"] == 7
    bad_kind = client.get("/api/v1/orgs?kind=club", headers=headers)
    assert bad_kind.status_code == 422 and "kind" in error_fields(bad_kind.get_json())
    bad_parent = client.get("/api/v1/orgs?parent=nope", headers=headers)
    assert bad_parent.status_code == 422 and "parent" in error_fields(bad_parent.get_json())


def test_branch_secretary_sees_own_branch_not_the_sibling(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert sorted(_codes(client.get("/api/v1/orgs", headers=headers))) == ["G", "X"]
    assert _codes(client.get(f"/api/v1/orgs?parent={tree['C1']}", headers=headers)) == ["X"]
    own = client.get(f"/api/v1/orgs/{tree['X']}", headers=headers)
    assert own.status_code == 200 and own.get_json()["code"] == "X"
    sibling = client.get(f"/api/v1/orgs/{tree['Y']}", headers=headers)
    unknown = client.get("/api/v1/orgs/01900000-0000-7000-8000-000000000000", headers=headers)
    assert sibling.status_code == unknown.status_code == 404
    assert "Y支部" not in sibling.get_data(as_text=True)
    assert sibling.get_json()["message"] == f"organization {tree['Y']} not found"


def test_user_without_grants_sees_nothing(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant, role=None)
    assert _codes(client.get("/api/v1/orgs", headers=headers)) == []
    assert client.get(f"/api/v1/orgs/{tree['R']}", headers=headers).status_code == 404


def test_another_tenants_org_is_404_with_no_data(client, tenant, tenant_b, in_tenant, auth_headers):
    with in_tenant(tenant_b):
        foreign = orgs.create(name="乙市委秘密", code="B-ROOT", kind="committee")
        db.session.commit()
        foreign_id = foreign.id
    headers = auth_headers(tenant)
    response = client.get(f"/api/v1/orgs/{foreign_id}", headers=headers)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "乙市委秘密" not in text and "B-ROOT" not in text
    assert _codes(client.get("/api/v1/orgs", headers=headers)) == []
    child = client.post(
        "/api/v1/orgs",
        json={"name": "x", "code": "X1", "kind": "branch", "parent_id": str(foreign_id)},
        headers=headers,
    )
    assert child.status_code == 404


def test_garbage_id_is_404(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    assert client.get("/api/v1/orgs/not-a-uuid", headers=headers).status_code == 404


def test_login_required(client, tenant, tree):
    for response in (
        client.get("/api/v1/orgs", headers={"X-Tenant": "alpha"}),
        client.get(f"/api/v1/orgs/{tree['R']}", headers={"X-Tenant": "alpha"}),
        client.post("/api/v1/orgs", json={}, headers={"X-Tenant": "alpha"}),
    ):
        assert response.status_code == 401


def test_tenant_admin_creates_a_root_and_children(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    root = client.post(
        "/api/v1/orgs", json={"name": "市委", "code": "R", "kind": "committee"}, headers=headers
    )
    assert root.status_code == 201
    root_body = root.get_json()
    assert (root_body["depth"], root_body["parent_id"]) == (0, None)
    child = client.post(
        "/api/v1/orgs",
        json={"name": "支部", "code": "B1", "kind": "branch", "parent_id": root_body["id"]},
        headers=headers,
    )
    assert child.status_code == 201
    assert (child.get_json()["depth"], child.get_json()["parent_id"]) == (1, root_body["id"])
    fetched = client.get(f"/api/v1/orgs/{child.get_json()['id']}", headers=headers)
    assert fetched.get_json()["name"] == "支部"


def test_validation_names_the_field(client, tenant, auth_headers, in_tenant):
    alpha = tenant.id
    headers = auth_headers(tenant)
    cases = [
        ({"code": "A", "kind": "committee"}, "name"),
        ({"name": "n", "kind": "committee"}, "code"),
        ({"name": "n", "code": "A", "kind": "club"}, "kind"),
        ({"name": "n", "code": "A B", "kind": "committee"}, "code"),
        ({"name": "n", "code": "A", "kind": "committee", "parent_id": "nope"}, "parent_id"),
        ({"name": "n", "code": "A", "kind": "committee", "sector": "mars"}, "sector"),
        ({"name": "", "code": "A", "kind": "committee"}, "name"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/orgs", json=body, headers=headers)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    with in_tenant(alpha):
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


def test_duplicate_code_is_409_naming_code(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant)
    response = client.post(
        "/api/v1/orgs", json={"name": "again", "code": "X", "kind": "branch"}, headers=headers
    )
    assert response.status_code == 409
    assert "code" in error_fields(response.get_json())


def test_sector_must_be_enabled_for_the_tenant(client, tenant, auth_headers, in_tenant):
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", True)
        db.session.commit()
    headers = auth_headers(tenant)
    body = {"name": "社区支部", "code": "V1", "kind": "branch", "sector": "community"}
    refused = client.post("/api/v1/orgs", json=body, headers=headers)  # installed, not enabled
    assert refused.status_code == 422 and "sector" in error_fields(refused.get_json())
    accepted = client.post("/api/v1/orgs", json={**body, "sector": "rural"}, headers=headers)
    assert accepted.status_code == 201 and accepted.get_json()["sector"] == "rural"


def test_who_may_create_where(client, tenant, tree, auth_headers):
    manager = auth_headers(tenant, role="org_manager", org=tree["C1"])
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])

    def create(headers, code, parent=None, kind="branch"):
        body = {"name": code, "code": code, "kind": kind}
        if parent is not None:
            body["parent_id"] = str(tree[parent])
        return client.post("/api/v1/orgs", json=body, headers=headers)

    assert create(manager, "N1", parent="C1").status_code == 201
    assert create(manager, "N2", parent="X", kind="group").status_code == 201  # in the subtree
    assert create(manager, "N3", parent="C2").status_code == 404  # outside: not even seen
    assert create(manager, "N4").status_code == 403  # a root needs tenant_admin
    assert create(secretary, "N5", parent="X", kind="group").status_code == 403  # sees, not manages
    assert create(secretary, "N6", parent="Y").status_code == 404


def test_a_branch_secretary_keeps_their_sector_data_and_contact_but_not_the_record(
        client, tenant, tree, auth_headers):
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    url = f"/api/v1/orgs/{tree['X']}"
    done = client.patch(url, json={"contact": "张书记", "phone": "0731-1234567"}, headers=secretary)
    assert done.status_code == 200 and done.get_json()["contact"] == "张书记"
    assert client.patch(url, json={"name": "改名"}, headers=secretary).status_code == 403
    assert client.patch(url, json={"contact": "x", "code": "X2"}, headers=secretary).status_code == 403
    assert client.patch(f"/api/v1/orgs/{tree['Y']}", json={"contact": "x"}, headers=secretary).status_code == 404
    member = auth_headers(tenant, role="member", org=tree["X"])
    assert client.patch(url, json={"contact": "y"}, headers=member).status_code == 403
