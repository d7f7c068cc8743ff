"""The warnings API: scope and filters, 404 across tenants, acknowledgement rights, the
sweep job, rule settings, and the 红黑榜 with its .xlsx."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from core.db import db
from core.plugins import service as plugin_service
from core.warnings import engine
from tests.support.auth import error_fields
from tests.warnings.conftest import FLAGGED, TODAY, set_contact

PERIOD = {"period_start": "2020-01-01", "period_end": "2099-12-31"}


def _raise(city, tenant, in_tenant, codes, rules=("test.flagged",)):
    with in_tenant(tenant):
        for code in codes:
            set_contact(city, code, "FLAG")
        engine.sweep(TODAY, rules)
        db.session.commit()


def test_list_filters_and_scope(client, city, tenant, in_tenant, rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant])
    _raise(city, tenant, in_tenant, ["X", "Y", "Z"])
    admin = auth_headers(tenant)
    body = client.get("/api/v1/warnings?rule=test.flagged", headers=admin).get_json()
    assert {w["org_id"] for w in body} == {str(city[c]) for c in "XYZ"}
    assert body[0]["rule_name"] == "测试标记" and body[0]["org_name"].endswith("支部")
    sub = client.get(f"/api/v1/warnings?rule=test.flagged&subtree_of={city['C1']}", headers=admin)
    assert {w["org_id"] for w in sub.get_json()} == {str(city["X"]), str(city["Y"])}
    one = client.get(f"/api/v1/warnings?org_id={city['Z']}&severity=serious&subject_type=org", headers=admin)
    assert [w["org_id"] for w in one.get_json()] == [str(city["Z"])]
    assert client.get("/api/v1/warnings?rule=test.flagged&state=resolved", headers=admin).get_json() == []
    assert client.get("/api/v1/warnings?severity=bad", headers=admin).status_code == 422

    secretary = auth_headers(tenant, role="branch_secretary", org=city["X"])
    mine = client.get("/api/v1/warnings?rule=test.flagged", headers=secretary).get_json()
    assert [w["org_id"] for w in mine] == [str(city["X"])]
    z_id = next(w["id"] for w in body if w["org_id"] == str(city["Z"]))
    assert client.get(f"/api/v1/warnings/{z_id}", headers=secretary).status_code == 404
    assert client.get(f"/api/v1/warnings?subtree_of={city['C2']}", headers=secretary).status_code == 404
    assert client.get(f"/api/v1/warnings/{z_id}", headers=admin).get_json()["id"] == z_id


def test_other_tenant_sees_nothing(client, city, tenant, tenant_b, in_tenant, rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant, tenant_b])
    _raise(city, tenant, in_tenant, ["X"])
    [w] = client.get("/api/v1/warnings?rule=test.flagged", headers=auth_headers(tenant)).get_json()
    other = auth_headers(tenant_b)
    assert client.get("/api/v1/warnings", headers=other).get_json() == []
    assert client.get(f"/api/v1/warnings/{w['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/warnings/{w['id']}/acknowledge", json={}, headers=other).status_code == 404
    assert client.get(f"/api/v1/warnings/{uuid.uuid4()}", headers=other).status_code == 404
    assert client.get("/api/v1/warnings/not-an-id", headers=other).status_code == 404


def test_a_disabled_plugins_warnings_are_hidden_not_resolved(client, city, tenant, in_tenant,
                                                              rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant])
    _raise(city, tenant, in_tenant, ["X"])
    admin = auth_headers(tenant)
    [shown] = client.get("/api/v1/warnings?rule=test.flagged", headers=admin).get_json()

    def enable(on):
        with in_tenant(tenant):
            plugin_service.set_enabled("test_rules", on)
            db.session.commit()

    enable(False)
    assert client.get("/api/v1/warnings", headers=admin).get_json() == []
    assert client.get(f"/api/v1/warnings/{shown['id']}", headers=admin).status_code == 404
    ranking = client.get("/api/v1/warnings/ranking", query_string=PERIOD, headers=admin).get_json()
    assert all(row["warnings"] == 0 for row in ranking["best"] + ranking["worst"])
    with in_tenant(tenant):
        engine.sweep(TODAY)  # the rule does not exist here now: its warning is left alone
        db.session.commit()
    enable(True)
    again = client.get("/api/v1/warnings?rule=test.flagged", headers=admin).get_json()
    assert [w["id"] for w in again] == [shown["id"]] and again[0]["state"] == "open"


def test_acknowledge_needs_branch_secretary(client, city, tenant, in_tenant, rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant])
    _raise(city, tenant, in_tenant, ["X"])
    [w] = client.get("/api/v1/warnings?rule=test.flagged", headers=auth_headers(tenant)).get_json()
    member = auth_headers(tenant, role="member", org=city["X"])
    assert client.post(f"/api/v1/warnings/{w['id']}/acknowledge", json={"note": "知道了"},
                       headers=member).status_code == 403
    secretary = auth_headers(tenant, role="branch_secretary", org=city["X"])
    response = client.post(f"/api/v1/warnings/{w['id']}/acknowledge", json={"note": "已整改中"},
                           headers=secretary)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["acknowledgement_note"] == "已整改中" and body["state"] == "open"
    assert body["acknowledged_at"] and body["acknowledged_by_user_id"]
    assert client.post(f"/api/v1/warnings/{w['id']}/acknowledge", json={"note": 5},
                       headers=secretary).status_code == 422


def test_sweep_endpoint_starts_the_job(client, city, tenant, in_tenant, rule_plugin, auth_headers, run_jobs):
    rule_plugin([FLAGGED], tenants=[tenant])
    with in_tenant(tenant):
        set_contact(city, "Y", "FLAG")
    admin = auth_headers(tenant)
    assert client.post("/api/v1/warnings/sweep", json={},
                       headers=auth_headers(tenant, role="org_manager")).status_code == 403
    assert client.post("/api/v1/warnings/sweep", json={"rules": ["nope.x"]}, headers=admin).status_code == 422
    response = client.post("/api/v1/warnings/sweep", json={"today": "2025-07-01", "rules": ["test.flagged"]},
                           headers=admin)
    assert response.status_code == 202, response.get_json()
    run_jobs()
    job = client.get(f"/api/v1/jobs/{response.get_json()['id']}", headers=admin).get_json()
    assert job["state"] == "finished" and job["result"]["opened"] == 1
    [w] = client.get("/api/v1/warnings?rule=test.flagged", headers=admin).get_json()
    assert w["org_id"] == str(city["Y"])


def test_rules_listing_and_update(client, city, tenant, in_tenant, rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant])
    admin = auth_headers(tenant)
    rules = {r["key"]: r for r in client.get("/api/v1/warnings/rules", headers=admin).get_json()}
    assert rules["test.flagged"]["params"] == {"marker": "FLAG", "fail": False}
    assert rules["orgs.term_ending"]["params"] == {"days_before": 90}
    assert rules["members.probation_overdue"]["enabled"] is True

    bad = client.patch("/api/v1/warnings/rules/orgs.term_ending", json={"params": {"days_before": 0}},
                       headers=admin)
    assert bad.status_code == 422 and error_fields(bad.get_json()) == {"params.days_before"}
    unknown = client.patch("/api/v1/warnings/rules/orgs.term_ending", json={"params": {"x": 1}},
                           headers=admin)
    assert unknown.status_code == 422 and error_fields(unknown.get_json()) == {"params.x"}
    assert client.patch("/api/v1/warnings/rules/nope.x", json={"enabled": False},
                        headers=admin).status_code == 404
    secretary = auth_headers(tenant, role="branch_secretary", org=city["X"])
    assert client.patch("/api/v1/warnings/rules/orgs.term_ending", json={"enabled": False},
                        headers=secretary).status_code == 403
    ok = client.patch("/api/v1/warnings/rules/orgs.term_ending",
                      json={"enabled": False, "params": {"days_before": 60}}, headers=admin)
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["enabled"] is False and ok.get_json()["params"] == {"days_before": 60}
    assert ok.get_json()["overrides"] == {"days_before": 60}


def test_ranking_and_its_xlsx(client, city, tenant, in_tenant, rule_plugin, auth_headers):
    rule_plugin([FLAGGED], tenants=[tenant])
    _raise(city, tenant, in_tenant, ["Z"], rules=("test.flagged", "orgs.branch_too_small"))
    admin = auth_headers(tenant)
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    body = client.get(f"/api/v1/warnings/ranking?{query}&kind=branch", headers=admin).get_json()
    # Every branch also has < 3 full members (a 'warning', weight 2); Z is flagged too (3).
    assert [r["name"] for r in body["worst"]] == ["Z支部", "X支部", "Y支部"]
    assert body["worst"][0]["score"] == 5 and body["worst"][0]["serious"] == 1
    assert [r["name"] for r in body["best"]][:2] == ["X支部", "Y支部"]
    sub = client.get(f"/api/v1/warnings/ranking?{query}&subtree_of={city['C1']}", headers=admin).get_json()
    assert {r["name"] for r in sub["best"]} == {"X支部", "Y支部"}
    before = client.get("/api/v1/warnings/ranking?period_start=2000-01-01&period_end=2000-12-31",
                        headers=admin).get_json()
    assert before["worst"] == [] and all(r["score"] == 0 for r in before["best"])
    bad = client.get("/api/v1/warnings/ranking?period_start=2025-02-01&period_end=2025-01-01", headers=admin)
    assert bad.status_code == 422 and "period_end" in error_fields(bad.get_json())
    assert client.get("/api/v1/warnings/ranking", headers=admin).status_code == 422

    xlsx = client.get(f"/api/v1/warnings/ranking?{query}&format=xlsx", headers=admin)
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["红榜", "黑榜"]
    rows = list(book["黑榜"].values)
    assert rows[1][:4] == ("排名", "党组织名称", "组织编码", "加权分")
    assert rows[2][:4] == (1, "Z支部", "Z", 5)
