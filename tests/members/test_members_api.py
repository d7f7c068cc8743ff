"""The member API: scope, masking per role, validation by field, optimistic lock, history."""

import json
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from core.db import db
from core.members import service
from core.members.models import Member
from core.orgs import service as orgs
from tests.members.helpers import make_id_number, member_data
from tests.support.auth import error_fields

UNKNOWN = "01900000-0000-7000-8000-000000000000"


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_create_read_and_full_view_for_the_tenant_admin(client, tenant, tree, auth_headers):
    headers = auth_headers(tenant)
    body = member_data(tree["X"], id_number=make_id_number(date(1990, 3, 7)).lower())
    created = _ok(client.post("/api/v1/members", json=body, headers=headers), 201)
    assert created["id_number"] == body["id_number"].upper()
    assert created["personal_masked"] is False
    assert (created["name_initials"], created["gender"], created["birth_date"]) == ("zs", "male", "1990-03-07")
    assert (created["org_name"], created["version"]) == ("X支部", 1)
    fetched = _ok(client.get(f"/api/v1/members/{created['id']}", headers=headers))
    assert fetched["phone"] == "13812345678"
    assert fetched["address"] == body["address"]
    assert "张三" in client.get(f"/api/v1/members/{created['id']}", headers=headers).get_data(as_text=True)


def test_masking_per_role(client, tenant, tree, auth_headers, add_member):
    number = make_id_number()
    member_id = add_member(tenant, tree["X"], id_number=number)
    masked_number = number[:6] + "********" + number[-4:]
    viewers = {
        "tenant_admin": auth_headers(tenant),
        "org_manager": auth_headers(tenant, role="org_manager", org=tree["C1"]),
        "branch_secretary": auth_headers(tenant, role="branch_secretary", org=tree["X"]),
        "member": auth_headers(tenant, role="member", org=tree["X"]),
    }
    for role, headers in viewers.items():
        one = _ok(client.get(f"/api/v1/members/{member_id}", headers=headers))
        listed = _ok(client.get("/api/v1/members", headers=headers))
        assert [m["id"] for m in listed] == [str(member_id)]
        for shown in (one, listed[0]):
            if role == "member":
                assert shown["personal_masked"] is True
                assert shown["id_number"] == masked_number
                assert shown["phone"] == "138****5678"
                assert shown["address"] == "江苏省南京市…"
            else:
                assert shown["personal_masked"] is False
                assert shown["id_number"] == number
        if role == "member":
            text = client.get(f"/api/v1/members/{member_id}", headers=headers).get_data(as_text=True)
            assert number not in text and "13812345678" not in text


def test_outside_scope_and_other_tenants_are_404(
    client, tenant, tenant_b, tree, auth_headers, add_member, in_tenant
):
    member_id = add_member(tenant, tree["X"])
    other_branch = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    for path in ("", "/history"):
        response = client.get(f"/api/v1/members/{member_id}{path}", headers=other_branch)
        assert response.status_code == 404
        assert response.get_json()["message"] == f"member {member_id} not found"
        assert "张三" not in response.get_data(as_text=True)
    assert _ok(client.get("/api/v1/members", headers=other_branch)) == []
    patch = client.patch(f"/api/v1/members/{member_id}", json={"version": 1, "job": "x"},
                         headers=other_branch)
    assert patch.status_code == 404

    with in_tenant(tenant_b):
        foreign_org = orgs.create(name="乙支部", code="B", kind="branch")
        db.session.commit()
        foreign_org_id = foreign_org.id
    foreign_id = add_member(tenant_b, foreign_org_id, name="李秘密")
    admin = auth_headers(tenant)
    for response in (
        client.get(f"/api/v1/members/{foreign_id}", headers=admin),
        client.get(f"/api/v1/members/{foreign_id}/history", headers=admin),
        client.patch(f"/api/v1/members/{foreign_id}", json={"version": 1, "job": "x"}, headers=admin),
        client.post(f"/api/v1/members/{foreign_id}/status",
                    json={"status": "left", "on": "2020-01-01", "reason": "r"}, headers=admin),
        client.get(f"/api/v1/members/{UNKNOWN}", headers=admin),
        client.get("/api/v1/members/not-an-id", headers=admin),
    ):
        assert response.status_code == 404
        assert "李秘密" not in response.get_data(as_text=True)
    # Nor can a member be created in, or moved to, another tenant's organisation.
    create = client.post("/api/v1/members", json=member_data(foreign_org_id), headers=admin)
    move = client.post(f"/api/v1/members/{member_id}/move",
                       json={"org_id": str(foreign_org_id), "on": "2020-01-01", "reason": "r"},
                       headers=admin)
    assert create.status_code == move.status_code == 404


def test_who_may_write_where(client, tenant, tree, auth_headers, add_member):
    member_id = add_member(tenant, tree["X"])
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    reader = auth_headers(tenant, role="member", org=tree["X"])
    assert client.post("/api/v1/members", json=member_data(tree["X"]), headers=secretary).status_code == 201
    assert client.post("/api/v1/members", json=member_data(tree["X"]), headers=reader).status_code == 403
    assert client.post("/api/v1/members", json=member_data(tree["Y"]), headers=secretary).status_code == 404
    assert client.patch(f"/api/v1/members/{member_id}", json={"version": 1, "job": "x"},
                        headers=reader).status_code == 403
    move = {"org_id": str(tree["Y"]), "on": "2020-01-01", "reason": "调整"}
    assert client.post(f"/api/v1/members/{member_id}/move", json=move, headers=secretary).status_code == 404
    manager = auth_headers(tenant, role="org_manager", org=tree["C1"])
    assert client.post(f"/api/v1/members/{member_id}/move", json=move, headers=manager).status_code == 200


def test_login_required(client, tenant, tree):
    for response in (
        client.get("/api/v1/members", headers={"X-Tenant": "alpha"}),
        client.get(f"/api/v1/members/{UNKNOWN}", headers={"X-Tenant": "alpha"}),
        client.post("/api/v1/members", json={}, headers={"X-Tenant": "alpha"}),
    ):
        assert response.status_code == 401


def test_validation_errors_name_the_field(client, tenant, tree, auth_headers, in_tenant):
    headers = auth_headers(tenant)
    number = make_id_number(date(1990, 3, 7), "male")
    cases = [
        ({"name": ""}, "name"),
        ({"id_number": number[:17] + ("1" if number[17] == "0" else "0")}, "id_number"),
        ({"id_number": number, "birth_date": "1990-03-08"}, "birth_date"),
        ({"id_number": number, "gender": "female"}, "gender"),
        ({"joined_on": "2007-01-01"}, "joined_on"),
        ({"full_on": None}, "full_on"),
        ({"phone": "123"}, "phone"),
        ({"ethnicity": "x"}, "ethnicity"),
        ({"status": "lost_contact"}, "lost_contact_reason"),
        ({"org_id": "nope"}, "org_id"),
    ]
    for overrides, field in cases:
        response = client.post("/api/v1/members", json=member_data(tree["X"]) | overrides,
                               headers=headers)
        assert response.status_code == 422, (overrides, response.get_json())
        assert field in error_fields(response.get_json()), (overrides, response.get_json())
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Member)) == 0


def test_duplicate_id_number_is_409_naming_it(client, tenant, tree, auth_headers, add_member):
    number = make_id_number()
    add_member(tenant, tree["X"], id_number=number)
    headers = auth_headers(tenant)
    again = client.post("/api/v1/members",
                        json=member_data(tree["Y"], id_number=number.lower(), name="张三丰"),
                        headers=headers)
    assert again.status_code == 409 and error_fields(again.get_json()) == {"id_number"}


def test_same_person_may_be_in_two_tenants(tenant, tenant_b, in_tenant, add_member):
    number = make_id_number()
    for t in (tenant, tenant_b):
        with in_tenant(t):
            org = orgs.create(name="支部", code="B1", kind="branch")
            db.session.commit()
            org_id = org.id
        add_member(t, org_id, id_number=number)
    # one person, one record in each city: the blind index is unique per tenant, not globally
    for t in (tenant, tenant_b):
        tenant_id = inspect(t).identity[0]
        with in_tenant(t):
            found = service.find_by_id_number(number)
            assert found is not None and found.tenant_id == tenant_id


def test_search_by_name_and_pinyin_initials(client, tenant, tree, auth_headers, add_member):
    for name in ("张三", "张三丰", "李四", "欧阳修文", "曾国藩"):
        add_member(tenant, tree["X"], name=name)
    headers = auth_headers(tenant)

    def names(query):
        return [m["name"] for m in _ok(client.get(f"/api/v1/members?{query}", headers=headers))]

    assert names("q=张三") == ["张三", "张三丰"]
    assert names("q=三丰") == ["张三丰"]
    assert names("q=zs") == ["张三", "张三丰"]
    assert names("q=ZSF") == ["张三丰"]
    assert names("q=oy") == ["欧阳修文"]
    assert names("q=zgf") == ["曾国藩"]
    assert names("q=%25") == []  # LIKE wildcards are literal
    assert names("q=xyz") == []


def test_filters_paging_and_sort(client, tenant, tree, auth_headers, add_member, in_tenant):
    add_member(tenant, tree["X"], name="甲", birth=date(1970, 1, 1), sex="female",
               joined_on="1995-07-01", full_on="1996-07-01", education="postgraduate")
    add_member(tenant, tree["Y"], name="乙", birth=date(1980, 1, 1), joined_on="2005-07-01",
               full_on=None, status="probationary")
    add_member(tenant, tree["Z"], name="丙", birth=date(1960, 1, 1), joined_on="1985-07-01",
               full_on="1986-07-01")
    headers = auth_headers(tenant)

    def names(query):
        return [m["name"] for m in _ok(client.get(f"/api/v1/members?{query}", headers=headers))]

    assert names("sort=name") == ["丙", "甲", "乙"]  # bing, jia, yi
    assert names("sort=name&order=desc") == ["乙", "甲", "丙"]
    assert names("sort=birth_date") == ["丙", "甲", "乙"]
    assert names("sort=joined_on&order=desc") == ["乙", "甲", "丙"]
    assert names(f"subtree_of={tree['C1']}&sort=name") == ["甲", "乙"]
    assert names(f"subtree_of={tree['R']}") == names("")
    assert names(f"org_id={tree['Z']}") == ["丙"]
    assert names("status=probationary") == ["乙"]
    assert names("status=probationary&status=full&sort=name") == ["丙", "甲", "乙"]
    assert names("gender=female") == ["甲"]
    assert names("education=postgraduate") == ["甲"]
    page = client.get("/api/v1/members?sort=name&page=2&page_size=2", headers=headers)
    assert [m["name"] for m in _ok(page)] == ["乙"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    for bad in ("status=gone", "sort=phone", "order=up", "gender=x", "subtree_of=nope"):
        response = client.get(f"/api/v1/members?{bad}", headers=headers)
        assert response.status_code == 422, bad
        assert bad.split("=")[0] in error_fields(response.get_json())
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert client.get(f"/api/v1/members?subtree_of={tree['C2']}", headers=secretary).status_code == 404


def test_patch_with_optimistic_lock(client, tenant, tree, auth_headers, add_member):
    member_id = add_member(tenant, tree["X"])
    headers = auth_headers(tenant)
    url = f"/api/v1/members/{member_id}"
    first = _ok(client.patch(url, json={"version": 1, "name": "张珊", "job": "教师"}, headers=headers))
    assert (first["name"], first["name_initials"], first["job"], first["version"]) == ("张珊", "zs", "教师", 2)
    stale = client.patch(url, json={"version": 1, "job": "医生"}, headers=headers)
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    assert "someone else" in stale.get_json()["message"]
    assert _ok(client.get(url, headers=headers))["job"] == "教师"
    missing = client.patch(url, json={"job": "医生"}, headers=headers)
    assert missing.status_code == 422 and "version" in error_fields(missing.get_json())
    wrong_birth = client.patch(url, json={"version": 2, "birth_date": "1991-01-01"}, headers=headers)
    assert wrong_birth.status_code == 422 and "birth_date" in error_fields(wrong_birth.get_json())
    cleared = _ok(client.patch(url, json={"version": 2, "gender": None, "birth_date": None,
                                          "phone": None}, headers=headers))
    assert (cleared["gender"], cleared["birth_date"], cleared["phone"]) == ("male", "1990-03-07", None)
    assert cleared["version"] == 3
    status = client.patch(url, json={"version": 2, "status": "left"}, headers=headers)
    assert status.status_code == 422 and "status" in error_fields(status.get_json())


def test_patch_to_another_members_id_number_is_409(client, tenant, tree, auth_headers, add_member):
    taken = make_id_number()
    add_member(tenant, tree["X"], id_number=taken)
    member_id = add_member(tenant, tree["X"], name="李四")
    response = client.patch(f"/api/v1/members/{member_id}", json={"version": 1, "id_number": taken},
                            headers=auth_headers(tenant))
    assert response.status_code == 409 and error_fields(response.get_json()) == {"id_number"}


def test_history_after_status_changes_and_a_move(client, tenant, tree, auth_headers, add_member):
    member_id = add_member(tenant, tree["X"], full_on=None, status="probationary",
                           joined_on="2019-07-01")
    headers = auth_headers(tenant, username="organiser")
    base = f"/api/v1/members/{member_id}"
    converted = _ok(client.post(f"{base}/status", json={"status": "full", "on": "2020-07-01",
                                                        "reason": "按期转正"}, headers=headers))
    assert (converted["status"], converted["full_on"]) == ("full", "2020-07-01")
    moved = _ok(client.post(f"{base}/move", json={"org_id": str(tree["Z"]), "on": "2021-03-01",
                                                  "reason": "工作调动"}, headers=headers))
    assert (moved["org_id"], moved["org_name"]) == (str(tree["Z"]), "Z支部")
    lost = _ok(client.post(f"{base}/status", json={"status": "lost_contact", "on": "2022-05-01",
                                                   "reason": "长期联系不上",
                                                   "lost_contact_reason": "migrant_work"},
                           headers=headers))
    assert (lost["lost_contact_since"], lost["lost_contact_reason"]) == ("2022-05-01", "migrant_work")
    found = _ok(client.post(f"{base}/status", json={"status": "full", "on": "2023-01-01",
                                                    "reason": "恢复联系"}, headers=headers))
    assert (found["lost_contact_since"], found["full_on"]) == (None, "2020-07-01")

    events = _ok(client.get(f"{base}/history", headers=headers))
    assert [(e["kind"], e["occurred_on"]) for e in events] == [
        ("admitted", "2019-07-01"),
        ("converted", "2020-07-01"),
        ("moved", "2021-03-01"),
        ("status_changed", "2022-05-01"),
        ("status_changed", "2023-01-01"),
    ]
    assert (events[1]["from_status"], events[1]["to_status"], events[1]["reason"]) == (
        "probationary", "full", "按期转正"
    )
    assert (events[2]["from_org_id"], events[2]["to_org_id"]) == (str(tree["X"]), str(tree["Z"]))
    assert events[3]["details"] == {"lost_contact_reason": "migrant_work"}
    assert all(e["actor_label"] == "user:organiser" for e in events[1:])
    # The history stays readable to whoever sees the member now (the new branch's secretary).
    z_secretary = auth_headers(tenant, role="branch_secretary", org=tree["Z"])
    assert len(_ok(client.get(f"{base}/history", headers=z_secretary))) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "probationary", "on": "2021-01-01", "reason": "r"}, "status"),
        ({"status": "full", "on": "2021-01-01", "reason": "r"}, "status"),  # already full
        ({"status": "lost_contact", "on": "2021-01-01", "reason": "r"}, "lost_contact_reason"),
        ({"status": "mobile", "on": "2021-01-01", "reason": "r"}, "mobile_destination"),
        ({"status": "left", "on": "2014-01-01", "reason": "r"}, "on"),  # before joining
        ({"status": "left", "on": "2999-01-01", "reason": "r"}, "on"),
        ({"status": "left", "on": "2021-01-01", "reason": " "}, "reason"),
        ({"status": "left", "on": "2021-01-01"}, "reason"),
        ({"status": "transferred_out", "on": "2021-01-01", "reason": "r"}, "status"),
        ({"status": "gone", "on": "2021-01-01", "reason": "r"}, "status"),
        ({"status": "left", "on": "2021-01-01", "reason": "r", "version": 7}, "version"),
    ],
)
def test_invalid_status_changes_name_the_field(client, tenant, tree, auth_headers, add_member,
                                               body, field):
    member_id = add_member(tenant, tree["X"])
    response = client.post(f"/api/v1/members/{member_id}/status", json=body,
                           headers=auth_headers(tenant))
    assert response.status_code in (409, 422), response.get_json()
    assert field in error_fields(response.get_json()), response.get_json()


def test_deceased_is_final_and_cannot_be_moved(client, tenant, tree, auth_headers, add_member):
    member_id = add_member(tenant, tree["X"])
    headers = auth_headers(tenant)
    base = f"/api/v1/members/{member_id}"
    _ok(client.post(f"{base}/status", json={"status": "deceased", "on": "2024-01-01",
                                           "reason": "病故"}, headers=headers))
    again = client.post(f"{base}/status", json={"status": "full", "on": "2024-02-01", "reason": "r"},
                        headers=headers)
    assert again.status_code == 422 and "status" in error_fields(again.get_json())
    move = client.post(f"{base}/move", json={"org_id": str(tree["Y"]), "on": "2024-02-01",
                                             "reason": "r"}, headers=headers)
    assert move.status_code == 422 and "status" in error_fields(move.get_json())
    same = client.post(f"{base}/move", json={"org_id": str(tree["X"]), "on": "2024-02-01",
                                             "reason": "r"}, headers=headers)
    assert same.status_code == 422
