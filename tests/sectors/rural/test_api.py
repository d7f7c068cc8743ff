"""The rural API: who writes what, bad input named by field with nothing written, lists
limited to what the user sees, another tenant's ids answered 404."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.plugins import service as plugin_service
from core.plugins import settings as plugin_settings
from plugins.rural.models import CollectiveIncome, MemberDuty, MobileContact, Stationing
from tests.support.auth import error_fields

API = "/api/v1/rural"
LAST_YEAR = date.today().year - 1


def _count(in_tenant, tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _income(org_id, **changes) -> dict:
    body = {"org_id": str(org_id), "year": LAST_YEAR, "operating_income_wan": "6.5",
            "total_income_wan": "30", "note": "茶园分红"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _stationing(org_id, **changes) -> dict:
    body = {"org_id": str(org_id), "person_name": "周明", "role": "first_secretary",
            "dispatched_by": "市农业农村局", "phone": "0731-8866001", "started_on": "2024-06-01"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_incomes_written_by_the_village_secretary(client, tenant, in_tenant, villages, login):
    secretary = login("branch_secretary", "A")
    response = client.post(f"{API}/incomes", headers=secretary, json=_income(villages["A"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["operating_income_wan"] == "6.50" and body["met"] is True and body["target_wan"] == 5.0
    # the same year again is a conflict; change it instead
    again = client.post(f"{API}/incomes", headers=secretary, json=_income(villages["A"]))
    assert again.status_code == 409 and "year" in error_fields(again.get_json())
    changed = client.patch(f"{API}/incomes/{body['id']}", headers=secretary,
                           json={"operating_income_wan": "4.2"})
    assert changed.status_code == 200 and changed.get_json()["met"] is False
    # a member reads but does not write; another village's secretary does not see it
    member = login("member", "A")
    assert client.get(f"{API}/incomes/{body['id']}", headers=member).status_code == 200
    assert client.patch(f"{API}/incomes/{body['id']}", headers=member,
                        json={"note": "x"}).status_code == 403
    assert client.post(f"{API}/incomes", headers=member,
                       json=_income(villages["A"], year=LAST_YEAR - 1)).status_code == 403
    other = login("branch_secretary", "B")
    assert client.get(f"{API}/incomes/{body['id']}", headers=other).status_code == 404
    assert client.patch(f"{API}/incomes/{body['id']}", headers=other, json={"note": "x"}).status_code == 404
    assert client.post(f"{API}/incomes", headers=other, json=_income(villages["A"])).status_code == 404
    assert client.delete(f"{API}/incomes/{body['id']}", headers=secretary).status_code == 204
    assert _count(in_tenant, tenant, CollectiveIncome) == 0


def test_income_bad_input_is_named_and_nothing_written(client, tenant, in_tenant, villages, login):
    admin = login()
    cases = [
        (_income(villages["A"], year=date.today().year + 1), "year"),
        (_income(villages["A"], total_income_wan="3"), "total_income_wan"),
        (_income(villages["A"], operating_income_wan="-1"), "operating_income_wan"),
        (_income(villages["A"], operating_income_wan="NaN"), "operating_income_wan"),
        (_income(villages["A"], operating_income_wan="很多"), "operating_income_wan"),
        (_income(villages["A"], year="去年"), "year"),
        (_income(villages["A"], colour="red"), "colour"),
        (_income(villages["T"]), "org_id"),  # the township committee is no village
        (_income(villages["O"]), "org_id"),  # not the rural sector
        (_income("not-a-uuid"), "org_id"),
        ({"year": LAST_YEAR}, "org_id"),
    ]
    for body, field in cases:
        response = client.post(f"{API}/incomes", headers=admin, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    unknown = _income("0195f2a4-0000-7000-8000-000000000000")
    assert client.post(f"{API}/incomes", headers=admin, json=unknown).status_code == 404
    assert _count(in_tenant, tenant, CollectiveIncome) == 0


def test_income_list_shows_what_the_user_sees(client, villages, login):
    admin = login()
    for code, year in (("A", LAST_YEAR), ("A", LAST_YEAR - 1), ("B", LAST_YEAR), ("Z", LAST_YEAR)):
        assert client.post(f"{API}/incomes", headers=admin,
                           json=_income(villages[code], year=year)).status_code == 201

    def listed(headers, **query):
        response = client.get(f"{API}/incomes", headers=headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        return sorted((i["org_name"], i["year"]) for i in response.get_json())

    assert len(listed(admin)) == 4
    assert listed(admin, subtree_of=str(villages["T"]), year=LAST_YEAR) == [
        ("李家村党支部", LAST_YEAR), ("桃源村党支部", LAST_YEAR)]
    town = login("org_manager", "T")
    assert [name for name, _ in listed(town)] == ["李家村党支部", "桃源村党支部", "桃源村党支部"]
    assert listed(login("member", "A"), org_id=str(villages["A"])) == [
        ("桃源村党支部", LAST_YEAR - 1), ("桃源村党支部", LAST_YEAR)]
    assert client.get(f"{API}/incomes", headers=town,
                      query_string={"subtree_of": str(villages["L"])}).status_code == 404


def test_stationings_appointed_by_the_township(client, tenant, in_tenant, villages, login):
    body = _stationing(villages["A"])
    assert client.post(f"{API}/stationings", headers=login("branch_secretary", "A"), json=body).status_code == 403
    assert client.post(f"{API}/stationings", headers=login("org_manager", "L"), json=body).status_code == 404
    town = login("org_manager", "T")
    first = client.post(f"{API}/stationings", headers=town, json=body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["current"] is True and first.get_json()["role_label"] == "第一书记"
    # one first secretary at a time; team members may be several
    clash = client.post(f"{API}/stationings", headers=town,
                        json=_stationing(villages["A"], person_name="王五", started_on="2025-01-01"))
    assert clash.status_code == 409 and "started_on" in error_fields(clash.get_json())
    for name in ("吴芳", "郑凯"):
        assert client.post(f"{API}/stationings", headers=town, json=_stationing(
            villages["A"], person_name=name, role="team_member")).status_code == 201
    # end the first secretary's stationing, then a successor may start after it
    ended = client.patch(f"{API}/stationings/{first.get_json()['id']}", headers=town,
                         json={"ended_on": "2025-05-31"})
    assert ended.status_code == 200 and ended.get_json()["current"] is False
    assert client.post(f"{API}/stationings", headers=town, json=_stationing(
        villages["A"], person_name="王五", started_on="2025-05-15")).status_code == 409
    successor = client.post(f"{API}/stationings", headers=town, json=_stationing(
        villages["A"], person_name="王五", started_on="2025-06-01"))
    assert successor.status_code == 201
    # reopening the old one would make two at once
    reopened = client.patch(f"{API}/stationings/{first.get_json()['id']}", headers=town,
                            json={"ended_on": None})
    assert reopened.status_code == 409
    current = client.get(f"{API}/stationings", headers=login("member", "A"),
                         query_string={"current": "true", "role": "first_secretary"}).get_json()
    assert [s["person_name"] for s in current] == ["王五"]
    assert _count(in_tenant, tenant, Stationing) == 4


def test_stationing_bad_input(client, tenant, in_tenant, villages, login):
    town = login("org_manager", "T")
    cases = [
        (_stationing(villages["A"], ended_on="2024-01-01"), "ended_on"),
        (_stationing(villages["A"], role="captain"), "role"),
        (_stationing(villages["A"], person_name="   "), "person_name"),
        (_stationing(villages["A"], phone="call me"), "phone"),
        (_stationing(villages["A"], started_on="2024-02-30"), "started_on"),
        (_stationing(villages["A"], dispatched_by=None), "dispatched_by"),
        (_stationing(villages["T"]), "org_id"),
    ]
    for body, field in cases:
        response = client.post(f"{API}/stationings", headers=town, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    assert _count(in_tenant, tenant, Stationing) == 0


def test_duties_for_members_of_the_village(client, tenant, in_tenant, villages, login, org, add_member):
    with in_tenant(tenant):
        in_group = add_member(org("AG"), name="张三")
        elsewhere = add_member(org("B"))
        gone = add_member(org("A"), status="transferred_out")
        ids = {"in_group": str(in_group.id), "elsewhere": str(elsewhere.id), "gone": str(gone.id)}
        db.session.commit()
    secretary = login("branch_secretary", "A")
    body = {"org_id": str(villages["A"]), "member_id": ids["in_group"], "duty": "政策宣传岗",
            "responsibilities": "宣讲惠农政策", "started_on": "2024-03-01"}
    created = client.post(f"{API}/duties", headers=secretary, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["member_name"] == "张三" and created.get_json()["current"] is True
    twice = client.post(f"{API}/duties", headers=secretary, json={**body, "started_on": "2025-01-01"})
    assert twice.status_code == 409 and "duty" in error_fields(twice.get_json())
    assert client.post(f"{API}/duties", headers=secretary,
                       json={**body, "duty": "纠纷调解岗"}).status_code == 201
    for changes, field in (({"member_id": ids["elsewhere"]}, "member_id"),
                           ({"member_id": ids["gone"]}, "member_id"),
                           ({"duty": ""}, "duty"),
                           ({"started_on": "2005-01-01"}, "started_on"),
                           ({"ended_on": "2024-01-01"}, "ended_on")):
        response = client.post(f"{API}/duties", headers=secretary, json={**body, **changes})
        assert response.status_code == 422 and field in error_fields(response.get_json()), changes
    ended = client.patch(f"{API}/duties/{created.get_json()['id']}", headers=secretary,
                         json={"ended_on": "2024-12-31"})
    assert ended.status_code == 200 and ended.get_json()["current"] is False
    assert client.get(f"{API}/duties", headers=login("member", "A"),
                      query_string={"current": "true"}).get_json()[0]["duty"] == "纠纷调解岗"
    assert client.post(f"{API}/duties", headers=login("branch_secretary", "B"), json=body).status_code == 404
    assert _count(in_tenant, tenant, MemberDuty) == 2


def test_contacts_with_mobile_members(client, tenant, in_tenant, villages, login, org, add_member):
    today = date.today()
    with in_tenant(tenant):
        away = add_member(org("A"), status="mobile", mobile_since=today - timedelta(days=200),
                          mobile_destination="广东省深圳市", name="李四")
        home = add_member(org("A"))
        ids = {"away": str(away.id), "home": str(home.id)}
        db.session.commit()
    secretary = login("branch_secretary", "A")
    body = {"org_id": str(villages["A"]), "member_id": ids["away"],
            "contacted_on": (today - timedelta(days=10)).isoformat(), "channel": "wechat",
            "initiated_by": "member", "note": "汇报在外务工情况"}
    created = client.post(f"{API}/mobile-contacts", headers=secretary, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["initiated_by_label"] == "党员主动报告"
    for changes, field in (({"member_id": ids["home"]}, "member_id"),
                           ({"contacted_on": (today + timedelta(days=1)).isoformat()}, "contacted_on"),
                           ({"contacted_on": (today - timedelta(days=300)).isoformat()}, "contacted_on"),
                           ({"channel": "pigeon"}, "channel"),
                           ({"initiated_by": "nobody"}, "initiated_by")):
        response = client.post(f"{API}/mobile-contacts", headers=secretary, json={**body, **changes})
        assert response.status_code == 422 and field in error_fields(response.get_json()), changes
    contact_id = created.get_json()["id"]
    assert client.patch(f"{API}/mobile-contacts/{contact_id}", headers=secretary,
                        json={"channel": "phone"}).get_json()["channel_label"] == "电话"
    listed = client.get(f"{API}/mobile-contacts", headers=login("org_manager", "T"),
                        query_string={"member_id": ids["away"]}).get_json()
    assert [c["member_name"] for c in listed] == ["李四"]
    assert client.get(f"{API}/mobile-contacts/{contact_id}",
                      headers=login("branch_secretary", "B")).status_code == 404
    assert client.delete(f"{API}/mobile-contacts/{contact_id}", headers=secretary).status_code == 204
    assert _count(in_tenant, tenant, MobileContact) == 0


def test_options_follow_the_tenant_settings(client, tenant, in_tenant, villages, login):
    with in_tenant(tenant):
        plugin_settings.set_overrides("rural", {"collective_income_target_wan": 8})
        db.session.commit()
    body = client.get(f"{API}/options", headers=login("member", "A")).get_json()
    assert body["collective_income_target_wan"] == 8
    assert "纠纷调解岗" in body["duty_posts"] and "农家书屋" in body["service_centre_functions"]
    assert body["village_committee_term_years"] == 5
    assert client.get(f"{API}/options", headers={"X-Tenant": "alpha"}).status_code == 401


def test_another_tenants_ids_are_unknown(client, tenant, tenant_b, in_tenant, villages, login,
                                         sector_tenant, auth_headers):
    admin = login()
    income = client.post(f"{API}/incomes", headers=admin, json=_income(villages["A"])).get_json()
    station = client.post(f"{API}/stationings", headers=admin, json=_stationing(villages["A"])).get_json()
    with in_tenant(tenant_b):
        plugin_service.set_enabled("rural", True)
        db.session.commit()
    other = auth_headers(tenant_b)
    assert client.get(f"{API}/incomes", headers=other).get_json() == []
    for path in (f"/incomes/{income['id']}", f"/stationings/{station['id']}"):
        assert client.get(API + path, headers=other).status_code == 404
        assert client.patch(API + path, headers=other, json={"note": "x"}).status_code == 404
        assert client.delete(API + path, headers=other).status_code == 404
    assert client.post(f"{API}/incomes", headers=other,
                       json=_income(villages["A"], year=LAST_YEAR - 1)).status_code == 404
    assert _count(in_tenant, tenant, CollectiveIncome) == 1


def test_catalogues_show_defaults_taken_from_the_settings(client, tenant, in_tenant, villages, login):
    with in_tenant(tenant):
        plugin_settings.set_overrides("rural", {"collective_income_target_wan": 8,
                                                "no_recruit_years_warning": 2})
        db.session.commit()
    admin = login()
    response = client.get("/api/v1/indicators/rural.collective_income", headers=admin)
    assert response.status_code == 200, response.get_json()
    described = response.get_json()
    assert described["params"]["target"] == 8
    assert {f["name"]: f["default"] for f in described["param_fields"]}["target"] == 8
    rules = {r["key"]: r for r in client.get("/api/v1/warnings/rules", headers=admin).get_json()}
    assert rules["rural.no_recruitment"]["params"]["years"] == 2
    assert rules["rural.collective_income_low"]["params"]["target"] == 8
    assert rules["rural.mobile_not_contacted"]["params"]["days"] == 90
