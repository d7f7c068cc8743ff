"""Finance roles through the API: one person cannot hold both, a held role must be ended
first, scope and tenant isolation."""

from __future__ import annotations

from tests.support.auth import error_fields


def _appoint(client, headers, org_id, role, **holder):
    body = {"org_id": str(org_id), "role": role, "since": "2024-01-01", **holder}
    return client.post("/api/v1/dues/finance-roles", json=body, headers=headers)


def test_accountant_and_cashier_are_different_people(client, tree, tenant, add_member, auth_headers):
    zhang = add_member(tenant, tree["X"], name="张三")
    headers = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    made = _appoint(client, headers, tree["X"], "accountant", member_id=str(zhang), qualified=True,
                    qualification_note="会计从业资格证")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["holder_name"] == "张三"
    both = _appoint(client, headers, tree["X"], "cashier", member_id=str(zhang), qualified=True)
    assert both.status_code == 409 and error_fields(both.get_json()) == {"member_id"}
    held = _appoint(client, headers, tree["X"], "accountant", person_name="李四")
    assert held.status_code == 409 and error_fields(held.get_json()) == {"role"}
    neither = _appoint(client, headers, tree["X"], "cashier")
    assert neither.status_code == 422
    cashier = _appoint(client, headers, tree["X"], "cashier", person_name="李四")
    assert cashier.status_code == 201 and cashier.get_json()["qualified"] is False
    listed = client.get(f"/api/v1/dues/finance-roles?org_id={tree['X']}", headers=headers).get_json()
    assert [(r["role"], r["holder_name"]) for r in listed] == [("accountant", "张三"), ("cashier", "李四")]
    ended = client.post(f"/api/v1/dues/finance-roles/{made.get_json()['id']}/end",
                        json={"until": "2024-06-30"}, headers=headers)
    assert ended.status_code == 200 and ended.get_json()["until"] == "2024-06-30"
    again = client.post(f"/api/v1/dues/finance-roles/{made.get_json()['id']}/end", json={}, headers=headers)
    assert again.status_code == 409
    history = client.get(f"/api/v1/dues/finance-roles?org_id={tree['X']}&include_ended=true",
                         headers=headers).get_json()
    assert len(history) == 2
    current = client.get(f"/api/v1/dues/finance-roles?org_id={tree['X']}", headers=headers).get_json()
    assert [r["role"] for r in current] == ["cashier"]


def test_finance_roles_scope_and_tenants(client, tree, tenant, tenant_b, auth_headers):
    x_secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert _appoint(client, x_secretary, tree["Y"], "cashier", person_name="甲").status_code == 404
    x_member = auth_headers(tenant, role="member", org=tree["X"])
    assert _appoint(client, x_member, tree["X"], "cashier", person_name="甲").status_code == 403
    other_city = auth_headers(tenant_b)
    assert _appoint(client, other_city, tree["X"], "cashier", person_name="甲").status_code == 404
    made = _appoint(client, x_secretary, tree["X"], "cashier", person_name="甲")
    role_id = made.get_json()["id"]
    assert client.post(f"/api/v1/dues/finance-roles/{role_id}/end", json={},
                       headers=other_city).status_code == 404
    assert client.get("/api/v1/dues/finance-roles", headers=other_city).get_json() == []
    y_secretary = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    assert client.get("/api/v1/dues/finance-roles", headers=y_secretary).get_json() == []
    assert client.post(f"/api/v1/dues/finance-roles/{role_id}/end", json={},
                       headers=y_secretary).status_code == 404
