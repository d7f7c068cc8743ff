"""The soe API: who writes what, bad input named by field with nothing written, lists limited
to what the user sees, another tenant's ids answered 404."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.plugins import service as plugin_service
from plugins.soe.models import (
    CrossAppointment,
    Decision,
    Innovation,
    InnovationMember,
    PerformanceLink,
    VanguardPost,
)
from tests.support.auth import error_fields

API = "/api/v1/soe"
TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
LAST_YEAR = TODAY.year - 1


def _count(in_tenant, tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _body(org_id, **values) -> dict:
    body = {"org_id": str(org_id), **values}
    return {k: v for k, v in body.items() if v is not None}


def _decision(org_id, **changes) -> dict:
    return _body(org_id, **{"title": "城东片区棚改项目投资", "category": "major_project",
                            "party_reviewed_on": "2025-03-01", "party_outcome": "agreed",
                            "decided_on": "2025-03-08", "minutes_ref": "党委会纪要〔2025〕3号",
                            **changes})


def _members(in_tenant, tenant, org, add_member, code, n=1, **fields):
    with in_tenant(tenant):
        made = [add_member(org(code), **fields) for _ in range(n)]
        db.session.commit()
        return [str(m.id) for m in made]


def test_decisions_kept_by_the_committee_office(client, tenant, in_tenant, enterprises, login):
    manager = login("org_manager", "G")  # the regulator's committee covers the group
    flagged = client.post(f"{API}/decisions", headers=manager, json=_decision(
        enterprises["C"], title="发行 5 亿元中期票据", category="large_fund", party_reviewed_on=None,
        party_outcome=None))
    assert flagged.status_code == 201, flagged.get_json()
    body = flagged.get_json()
    assert body["flagged"] is True and body["problem"] == "未经党委前置研究讨论"
    assert body["category_label"] == "大额度资金运作" and body["decided_by_label"] == "董事会"
    fine = client.post(f"{API}/decisions", headers=manager, json=_decision(enterprises["C"]))
    assert fine.status_code == 201 and fine.get_json()["flagged"] is False
    withdrawn = client.post(f"{API}/decisions", headers=manager, json=_decision(
        enterprises["C"], title="收购综合体", party_outcome="withdrawn", decided_on=None,
        party_reviewed_on="2024-11-02"))
    assert withdrawn.status_code == 201 and withdrawn.get_json()["outcome_label"] == "不同意提交（撤回）"

    listed = client.get(f"{API}/decisions", headers=manager, query_string={"flagged": "true"}).get_json()
    assert [d["title"] for d in listed] == ["发行 5 亿元中期票据"]
    unflagged = client.get(f"{API}/decisions", headers=manager, query_string={"flagged": "false"}).get_json()
    assert sorted(d["title"] for d in unflagged) == ["城东片区棚改项目投资", "收购综合体"]
    in_2024 = client.get(f"{API}/decisions", headers=manager, query_string={"year": 2024}).get_json()
    assert [d["title"] for d in in_2024] == ["收购综合体"]  # not decided: the year of its study
    subtree = client.get(f"{API}/decisions", headers=manager,
                         query_string={"subtree_of": str(enterprises["J"])}).get_json()
    assert subtree == []

    # the study found in the minutes afterwards: the correction clears the flag
    changed = client.patch(f"{API}/decisions/{body['id']}", headers=manager,
                           json={"party_reviewed_on": "2025-03-01", "party_outcome": "amended"})
    assert changed.status_code == 200 and changed.get_json()["flagged"] is False
    # a member reads but does not write; a branch secretary of the group may not write it
    member = login("member", "C")
    assert client.get(f"{API}/decisions/{body['id']}", headers=member).status_code == 200
    assert client.patch(f"{API}/decisions/{body['id']}", headers=member, json={"note": "x"}).status_code == 403
    secretary = login("branch_secretary", "C")
    assert client.post(f"{API}/decisions", headers=secretary, json=_decision(enterprises["C"])).status_code == 403
    # a branch's secretary does not see the committee's register
    other = login("branch_secretary", "A")
    assert client.get(f"{API}/decisions/{body['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/decisions", headers=other).get_json() == []
    assert client.delete(f"{API}/decisions/{body['id']}", headers=other).status_code == 404
    assert client.post(f"{API}/decisions", headers=other, json=_decision(enterprises["C"])).status_code == 404
    assert client.delete(f"{API}/decisions/{body['id']}", headers=manager).status_code == 204
    assert _count(in_tenant, tenant, Decision) == 2


def test_decision_bad_input_is_named_and_nothing_written(client, tenant, in_tenant, enterprises, login):
    admin = login()
    cases = [
        (_decision(enterprises["C"], party_outcome=None), "party_outcome"),
        (_decision(enterprises["C"], party_reviewed_on=None), "party_reviewed_on"),
        (_decision(enterprises["C"], party_outcome="withdrawn"), "decided_on"),
        (_decision(enterprises["C"], party_reviewed_on=None, party_outcome=None, decided_on=None),
         "decided_on"),
        (_decision(enterprises["C"], decided_on=TOMORROW), "decided_on"),
        (_decision(enterprises["C"], party_reviewed_on="2025-02-30"), "party_reviewed_on"),
        (_decision(enterprises["C"], category="一般事项"), "category"),
        (_decision(enterprises["C"], decided_by="chairman"), "decided_by"),
        (_decision(enterprises["C"], title="  "), "title"),
        (_decision(enterprises["C"], colour="red"), "colour"),
        (_decision(enterprises["O"]), "org_id"),  # not the soe sector
        (_decision(enterprises["AG"]), "org_id"),  # a Party group keeps no records
        (_decision("not-a-uuid"), "org_id"),
    ]
    for body, field in cases:
        response = client.post(f"{API}/decisions", headers=admin, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (field, response.get_json())
    assert client.post(f"{API}/decisions", headers=admin,
                       json=_decision("00000000-0000-0000-0000-000000000000")).status_code == 404
    assert _count(in_tenant, tenant, Decision) == 0
    created = client.post(f"{API}/decisions", headers=admin, json=_decision(enterprises["C"])).get_json()
    refused = client.patch(f"{API}/decisions/{created['id']}", headers=admin,
                           json={"party_outcome": "withdrawn"})
    assert refused.status_code == 422 and "decided_on" in error_fields(refused.get_json())
    with in_tenant(tenant):
        assert db.session.scalar(select(Decision.party_outcome)) == "agreed"


def test_appointments(client, tenant, in_tenant, enterprises, login, org, add_member):
    manager = login("org_manager", "C")
    [leader] = _members(in_tenant, tenant, org, add_member, "A", name="张建华")
    secretary = client.post(f"{API}/appointments", headers=manager, json=_body(
        enterprises["C"], member_id=leader, party_post="secretary", business_post="chairman",
        started_on="2023-03-01"))
    assert secretary.status_code == 201, secretary.get_json()
    body = secretary.get_json()
    assert body["person_name"] == "张建华" and body["current"] is True
    assert (body["party_post_label"], body["business_post_label"]) == ("党委书记", "董事长")
    # one chairman at a time
    clash = client.post(f"{API}/appointments", headers=manager, json=_body(
        enterprises["C"], person_name="钱多多", business_post="chairman", started_on="2024-01-01"))
    assert clash.status_code == 409 and "business_post" in error_fields(clash.get_json())
    for bad, field in (
        (_body(enterprises["C"], person_name="王五", started_on="2024-01-01"), "party_post"),
        (_body(enterprises["C"], started_on="2024-01-01", party_post="committee_member"), "person_name"),
        (_body(enterprises["C"], person_name="王五", party_post="committee_member",
               started_on="2024-01-01", ended_on="2023-01-01"), "ended_on"),
        (_body(enterprises["C"], person_name="王五", party_post="总监", started_on="2024-01-01"), "party_post"),
        (_body(enterprises["C"], person_name="王五", party_post="committee_member", started_on=TOMORROW),
         "started_on"),
        (_body(enterprises["C"], member_id="00000000-0000-0000-0000-000000000000",
               party_post="committee_member", started_on="2024-01-01"), "member_id"),
    ):
        response = client.post(f"{API}/appointments", headers=manager, json=bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in error_fields(response.get_json()), (field, response.get_json())
    assert _count(in_tenant, tenant, CrossAppointment) == 1
    # ending the post lets a successor in
    ended = client.patch(f"{API}/appointments/{body['id']}", headers=manager,
                         json={"ended_on": TODAY.isoformat()})
    assert ended.status_code == 200 and ended.get_json()["current"] is False
    successor = client.post(f"{API}/appointments", headers=manager, json=_body(
        enterprises["C"], person_name="钱多多", party_post="secretary", business_post="chairman",
        started_on=TODAY.isoformat()))
    assert successor.status_code == 201
    current = client.get(f"{API}/appointments", headers=manager, query_string={"current": "true"}).get_json()
    assert [a["person_name"] for a in current] == ["钱多多"]
    assert client.patch(f"{API}/appointments/{body['id']}", headers=login("member", "C"),
                        json={"note": "x"}).status_code == 403
    assert client.get(f"{API}/appointments/{body['id']}", headers=login("org_manager", "J")).status_code == 404


def test_performance_links(client, tenant, in_tenant, enterprises, login):
    manager = login("org_manager", "G")
    created = client.post(f"{API}/performance-links", headers=manager, json=_body(
        enterprises["C"], year=LAST_YEAR, link_weight_pct="8", salary_linked=True,
        party_building_score="91.5"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["link_weight_pct"] == "8.00" and body["met"] is False and body["min_weight_pct"] == 10.0
    again = client.post(f"{API}/performance-links", headers=manager,
                        json=_body(enterprises["C"], year=LAST_YEAR, link_weight_pct="12"))
    assert again.status_code == 409 and "year" in error_fields(again.get_json())
    for bad, field in (
        (_body(enterprises["C"], year=TODAY.year + 1, link_weight_pct="12"), "year"),
        (_body(enterprises["C"], year=TODAY.year, link_weight_pct="101"), "link_weight_pct"),
        (_body(enterprises["C"], year=TODAY.year, link_weight_pct="NaN"), "link_weight_pct"),
        (_body(enterprises["C"], year=TODAY.year), "link_weight_pct"),
        (_body(enterprises["C"], year=TODAY.year, link_weight_pct="12", business_score="-1"),
         "business_score"),
    ):
        response = client.post(f"{API}/performance-links", headers=manager, json=bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in error_fields(response.get_json()), (field, response.get_json())
    changed = client.patch(f"{API}/performance-links/{body['id']}", headers=manager,
                           json={"link_weight_pct": "12"})
    assert changed.status_code == 200 and changed.get_json()["met"] is True
    listed = client.get(f"{API}/performance-links", headers=manager,
                        query_string={"year": LAST_YEAR}).get_json()
    assert [(r["org_name"], r["link_weight_pct"]) for r in listed] == [("市城投集团党委", "12.00")]
    assert client.post(f"{API}/performance-links", headers=login("branch_secretary", "C"),
                       json=_body(enterprises["C"], year=TODAY.year, link_weight_pct="12")).status_code == 403
    assert _count(in_tenant, tenant, PerformanceLink) == 1


def test_vanguard_posts(client, tenant, in_tenant, enterprises, login, org, add_member):
    secretary = login("branch_secretary", "A")
    [in_group] = _members(in_tenant, tenant, org, add_member, "AG")
    [elsewhere] = _members(in_tenant, tenant, org, add_member, "B")
    [away] = _members(in_tenant, tenant, org, add_member, "A", status="mobile")
    post = _body(enterprises["A"], member_id=in_group, kind="vanguard_post", name="管网抢修党员先锋岗",
                 started_on="2025-03-01")
    created = client.post(f"{API}/vanguard-posts", headers=secretary, json=post)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind_label"] == "党员先锋岗" and body["current"] is True and body["member_name"]
    again = client.post(f"{API}/vanguard-posts", headers=secretary, json={**post, "started_on": "2025-06-01"})
    assert again.status_code == 409 and "kind" in error_fields(again.get_json())
    for bad, field in (
        ({**post, "member_id": elsewhere}, "member_id"),  # another branch's member
        ({**post, "member_id": away}, "member_id"),  # a mobile member is away
        ({**post, "kind": "flag"}, "kind"),
        ({**post, "name": ""}, "name"),
        ({**post, "started_on": TOMORROW}, "started_on"),
        ({**post, "org_id": str(enterprises["AG"])}, "org_id"),
    ):
        response = client.post(f"{API}/vanguard-posts", headers=secretary, json=bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in error_fields(response.get_json()), (field, response.get_json())
    ended = client.patch(f"{API}/vanguard-posts/{body['id']}", headers=secretary,
                         json={"ended_on": TODAY.isoformat()})
    assert ended.status_code == 200 and ended.get_json()["current"] is False
    bad_end = client.patch(f"{API}/vanguard-posts/{body['id']}", headers=secretary,
                           json={"ended_on": "2025-01-01"})
    assert bad_end.status_code == 422 and "ended_on" in error_fields(bad_end.get_json())
    other = login("branch_secretary", "B")
    assert client.get(f"{API}/vanguard-posts/{body['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/vanguard-posts", headers=other).get_json() == []
    member = login("member", "A")
    assert client.delete(f"{API}/vanguard-posts/{body['id']}", headers=member).status_code == 403
    assert client.delete(f"{API}/vanguard-posts/{body['id']}", headers=secretary).status_code == 204
    assert _count(in_tenant, tenant, VanguardPost) == 0


def test_innovations(client, tenant, in_tenant, enterprises, login, org, add_member):
    secretary = login("branch_secretary", "A")
    first, second = _members(in_tenant, tenant, org, add_member, "A", n=2)
    [in_group] = _members(in_tenant, tenant, org, add_member, "AG")
    [elsewhere] = _members(in_tenant, tenant, org, add_member, "B")
    result = _body(enterprises["A"], title="老旧管网非开挖修复技术攻关", kind="tackling",
                   achieved_on="2025-09-01", level="group", member_ids=[first, in_group])
    created = client.post(f"{API}/innovations", headers=secretary, json=result)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind_label"] == "党员攻关项目" and body["member_ids"] == [first, in_group]
    for bad, field in (
        ({**result, "member_ids": [first, elsewhere]}, "member_ids.1"),
        ({**result, "member_ids": [first, first]}, "member_ids"),
        ({**result, "member_ids": []}, "member_ids"),
        ({**result, "member_ids": ["x"]}, "member_ids"),
        ({**result, "achieved_on": TOMORROW}, "achieved_on"),
        ({**result, "level": "world"}, "level"),
    ):
        response = client.post(f"{API}/innovations", headers=secretary, json=bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in error_fields(response.get_json()), (field, response.get_json())
    assert _count(in_tenant, tenant, Innovation) == 1
    changed = client.patch(f"{API}/innovations/{body['id']}", headers=secretary,
                           json={"member_ids": [in_group, second]})
    assert changed.status_code == 200 and sorted(changed.get_json()["member_ids"]) == sorted([in_group, second])
    listed = client.get(f"{API}/innovations", headers=secretary, query_string={"year": 2025}).get_json()
    assert [(i["title"], len(i["member_ids"])) for i in listed] == [("老旧管网非开挖修复技术攻关", 2)]
    assert client.get(f"{API}/innovations/{body['id']}", headers=login("branch_secretary", "B")).status_code == 404
    assert client.delete(f"{API}/innovations/{body['id']}", headers=secretary).status_code == 204
    assert _count(in_tenant, tenant, Innovation) == _count(in_tenant, tenant, InnovationMember) == 0


def test_another_tenants_ids_are_unknown(client, tenant, tenant_b, in_tenant, enterprises, login,
                                         auth_headers):
    admin = login()
    decision = client.post(f"{API}/decisions", headers=admin, json=_decision(enterprises["C"])).get_json()
    link = client.post(f"{API}/performance-links", headers=admin, json=_body(
        enterprises["C"], year=LAST_YEAR, link_weight_pct="12")).get_json()
    with in_tenant(tenant_b):
        plugin_service.set_enabled("soe", True)
        db.session.commit()
    other = auth_headers(tenant_b)
    assert client.get(f"{API}/decisions/{decision['id']}", headers=other).status_code == 404
    assert client.patch(f"{API}/decisions/{decision['id']}", headers=other, json={"note": "x"}).status_code == 404
    assert client.delete(f"{API}/performance-links/{link['id']}", headers=other).status_code == 404
    assert client.post(f"{API}/decisions", headers=other, json=_decision(enterprises["C"])).status_code == 404
    assert client.get(f"{API}/decisions", headers=other).get_json() == []
    assert client.get(f"{API}/decisions/not-an-id", headers=admin).status_code == 404
    assert client.get(f"{API}/decisions", headers={"X-Tenant": admin["X-Tenant"]}).status_code == 401
