"""A whole review year through the API: open a cycle for a subtree, assign 点题, secretaries
report against their items, ratings by members, peers and the higher level, publication
subtree by subtree with exact grades, problems for 一般/差, and next year's carried
commitments."""

from __future__ import annotations

import io
import uuid
from datetime import date

from sqlalchemy import func, select

from core.db import db
from core.problems.models import Problem
from core.reviews import service
from tests.reviews.conftest import PDF, YEAR, open_warning, publish_assessment
from tests.support.auth import error_fields

API = "/api/v1/reviews"


def _entries(client, headers, cycle_id) -> dict:
    body = client.get(f"{API}/{cycle_id}", headers=headers).get_json()
    return {e["org_name"]: e for e in body["entries"]}


def _entry(client, headers, entry_id) -> dict:
    response = client.get(f"{API}/entries/{entry_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _report(client, headers, entry_id, text="本年度履行党建第一责任人职责情况……"):
    """Write, mark every item, and submit."""
    entry = _entry(client, headers, entry_id)
    for item in entry["items"]:
        if item["kind"] != "next":
            response = client.patch(f"{API}/entries/{entry_id}/items/{item['id']}", headers=headers,
                                    json={"version": item["version"], "done": True, "note": "已完成"})
            assert response.status_code == 200, response.get_json()
    response = client.post(f"{API}/entries/{entry_id}/submit", headers=headers, json={"report": text})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _rate(client, headers, entry_id, rating, **extra):
    return client.post(f"{API}/entries/{entry_id}/rating", headers=headers, json={"rating": rating, **extra})


def test_a_review_year(client, tenant, in_tenant, city, people, account):
    p = people
    # -- opening: the county (org_manager on R) opens R's review; a secretary may not
    body = {"root_org_id": str(city["R"]), "year": YEAR}
    assert client.post(API, headers=p["sec_x"], json=body).status_code == 404  # R is not seen
    assert client.post(API, headers=p["c1"], json={**body, "root_org_id": str(city["R"])}).status_code == 404
    response = client.post(API, headers=p["county"], json=body)
    assert response.status_code == 201, response.get_json()
    cycle = response.get_json()
    assert cycle["state"] == "open" and cycle["name"] == f"{YEAR}年度书记抓基层党建述职评议"
    entries = {e["org_name"]: e for e in cycle["entries"]}
    assert set(entries) == {"一党委", "二党委", "X支部", "Y支部", "Z支部"}  # not R, not the group
    assert entries["X支部"]["secretary_name"] == "张书记"
    assert entries["二党委"]["secretary_name"] is None
    with in_tenant(tenant):  # C2 gets its secretary after the cycle opened: shown, not recorded
        from core.orgs import posts

        posts.start(service.orgs.get(city["C2"]), post="secretary", started_on=date.today(),
                    person_name="吴书记")
        db.session.commit()
    later = {e["org_name"]: e for e in client.get(f"{API}/{cycle['id']}", headers=p["county"]).get_json()["entries"]}
    assert later["二党委"]["secretary_name"] == "吴书记" and later["X支部"]["secretary_name"] == "张书记"
    again = client.post(API, headers=p["county"], json=body)
    assert again.status_code == 409 and "year" in error_fields(again.get_json())
    x, y, z = entries["X支部"]["id"], entries["Y支部"]["id"], entries["Z支部"]["id"]
    c1, c2 = entries["一党委"]["id"], entries["二党委"]["id"]
    # a secretary sees only their own entry of the cycle
    assert set(_entries(client, p["sec_x"], cycle["id"])) == {"X支部"}
    seen_by_x = client.get(f"{API}/{cycle['id']}", headers=p["sec_x"]).get_json()
    assert seen_by_x["root_org_id"] is None and seen_by_x["root_name"] is None  # R is above X's scope
    assert [c["id"] for c in client.get(API, headers=p["sec_x"]).get_json()] == [cycle["id"]]

    # -- 点题 by the level above X (C1's manager); the secretary's own commitments
    task = {"kind": "assigned", "title": "整顿组织生活不规范问题"}
    assert client.post(f"{API}/entries/{x}/items", headers=p["sec_x"], json=task).status_code == 403
    assert client.post(f"{API}/entries/{x}/items", headers=p["c1"], json=task).status_code == 201
    assert client.post(f"{API}/entries/{x}/items", headers=p["x2"],
                       json={"kind": "commitment", "title": "代写"}).status_code == 403
    mine = client.post(f"{API}/entries/{x}/items", headers=p["sec_x"],
                       json={"kind": "commitment", "title": "建成党员活动室"})
    assert mine.status_code == 201
    nxt = client.post(f"{API}/entries/{x}/items", headers=p["sec_x"],
                      json={"kind": "next", "title": "明年发展2名青年党员"})
    assert nxt.status_code == 201
    bad = client.post(f"{API}/entries/{x}/items", headers=p["sec_x"], json={"kind": "wish", "title": ""})
    assert bad.status_code == 422 and {"kind", "title"} <= error_fields(bad.get_json())

    # -- reporting: a draft may be written while open; submitting waits for the reporting stage
    written = client.patch(f"{API}/entries/{x}", headers=p["sec_x"], json={"version": 1, "report": "草稿"})
    assert written.status_code == 200 and written.get_json()["report"] == "草稿"
    stale = client.patch(f"{API}/entries/{x}", headers=p["sec_x"], json={"version": 1, "report": "旧稿"})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    assert client.patch(f"{API}/entries/{x}", headers=p["x2"], json={"version": 2, "report": "冒名"}).status_code == 403
    assert client.post(f"{API}/entries/{x}/submit", headers=p["sec_x"], json={}).status_code == 409
    assert client.post(f"{API}/{cycle['id']}/advance", headers=p["c1"], json={}).status_code in (403, 404)
    moved = client.post(f"{API}/{cycle['id']}/advance", headers=p["county"], json={"version": cycle["version"]})
    assert moved.status_code == 200 and moved.get_json()["state"] == "reporting"
    undone = client.post(f"{API}/entries/{x}/submit", headers=p["sec_x"], json={})
    assert undone.status_code == 422 and "items" in error_fields(undone.get_json())
    _report(client, p["sec_x"], x)
    assert client.patch(f"{API}/entries/{x}", headers=p["sec_x"],
                        json={"version": 99, "report": "改"}).status_code == 409
    early = client.post(f"{API}/{cycle['id']}/advance", headers=p["county"], json={})
    assert early.status_code == 409 and "entries" in error_fields(early.get_json())
    sec_c2 = account(tenant, "branch_secretary", "C2")  # C2's secretary is not in the register
    for who, entry_id in (("sec_y", y), ("sec_z", z), ("sec_c1", c1)):
        _report(client, p[who], entry_id)
    _report(client, sec_c2, c2)
    assert client.post(f"{API}/{cycle['id']}/advance", headers=p["county"], json={}).get_json()["state"] == "rating"

    # -- ratings: the group is the rater's; nobody rates themselves; one rating per rater
    assert _rate(client, p["x2"], x, "fairly_good").get_json()["rater_group"] == "members"
    assert _rate(client, p["x3"], x, "average").status_code == 200
    assert _rate(client, p["sec_y"], x, "fairly_good").get_json()["rater_group"] == "peers"
    assert _rate(client, p["c1"], x, "good").get_json()["rater_group"] == "higher"
    assert _rate(client, p["county"], x, "good").get_json()["rater_group"] == "higher"
    assert _rate(client, p["sec_x"], x, "good").status_code == 403
    assert _rate(client, p["sec_c1"], x, "good").status_code == 403  # sees X, is none of them
    assert _rate(client, p["y2"], x, "good").status_code == 404  # does not see X
    wrong = _rate(client, p["x2"], x, "excellent")
    assert wrong.status_code == 422 and "rating" in error_fields(wrong.get_json())
    replaced = _rate(client, p["x2"], x, "good", version=1)
    assert replaced.status_code == 200 and replaced.get_json()["version"] == 2
    assert _rate(client, p["x2"], x, "poor", version=1).status_code == 409
    detail = _entry(client, p["county"], x)
    assert detail["ratings"] == {"members": {"good": 1, "average": 1}, "peers": {"fairly_good": 1},
                                 "higher": {"good": 2}}
    assert _entry(client, p["x2"], x)["my_rating"]["rating"] == "good"
    assert _rate(client, p["county"], y, "poor").status_code == 200
    assert _rate(client, p["y2"], y, "average").get_json()["rater_group"] == "members"
    assert _rate(client, p["county"], z, "fairly_good").status_code == 200
    assert _rate(client, p["county"], c1, "good").status_code == 200
    assert _rate(client, p["sec_c1"], c1, "good").status_code == 403
    with in_tenant(tenant):
        publish_assessment(YEAR, {city["X"]: 72, city["Z"]: 60}, city["R"])
        publish_assessment(YEAR - 1, {city["Y"]: 99}, city["R"])  # another year: not Y's result
        open_warning(city["X"])
        db.session.commit()

    # -- C1's manager publishes C1's subtree: X and Y (not C1's own secretary)
    assert client.post(f"{API}/{cycle['id']}/publish", headers=p["c1"],
                       json={"org_id": str(city["R"])}).status_code == 404
    published = client.post(f"{API}/{cycle['id']}/publish", headers=p["c1"], json={"org_id": str(city["C1"])})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["state"] == "rating"
    shown = _entries(client, p["county"], cycle["id"])
    # X: members (100 + 70)/2 = 85, peers 85, higher 100 → R = 91; A = 72 →
    #    0.7·91 + 0.3·72 = 85.3; one open warning → 83.30 较好
    assert (shown["X支部"]["score"], shown["X支部"]["grade"]) == ("83.30", "fairly_good")
    # Y: members 70, higher 50 → R = (30·70 + 40·50)/70 = 58.571…; no result of this year → 差
    assert (shown["Y支部"]["score"], shown["Y支部"]["grade"]) == ("58.57", "poor")
    assert shown["Y支部"]["problem_id"] is not None and shown["X支部"]["problem_id"] is None
    assert shown["一党委"]["status"] == "submitted"
    breakdown = _entry(client, p["sec_x"], x)["breakdown"]
    assert breakdown["rating_score"] == "91.00" and breakdown["assessment_score"] == "72.00"
    assert breakdown["open_warnings"] == 1 and breakdown["deduction"] == "2.00"
    again = client.post(f"{API}/{cycle['id']}/publish", headers=p["c1"], json={"org_id": str(city["C1"])})
    assert again.status_code == 409
    assert _rate(client, p["x3"], x, "good").status_code == 409  # published: no more ratings

    # -- the county publishes the rest; C2 has neither a rating nor a result: refused, nothing written
    refused = client.post(f"{API}/{cycle['id']}/publish", headers=p["county"], json={})
    assert refused.status_code == 409 and "ratings" in error_fields(refused.get_json())
    assert _entries(client, p["county"], cycle["id"])["Z支部"]["status"] == "submitted"
    assert _rate(client, p["county"], c2, "average").status_code == 200
    done = client.post(f"{API}/{cycle['id']}/publish", headers=p["county"], json={})
    assert done.status_code == 200 and done.get_json()["state"] == "published"
    shown = {e["org_name"]: e for e in done.get_json()["entries"]}
    assert (shown["一党委"]["score"], shown["一党委"]["grade"]) == ("100.00", "good")
    assert (shown["二党委"]["score"], shown["二党委"]["grade"]) == ("70.00", "average")
    # Z: R = 85, A = 60 → 59.5 + 18 = 77.5 一般
    assert (shown["Z支部"]["score"], shown["Z支部"]["grade"]) == ("77.50", "average")

    # -- the problems: one per 一般/差 entry, linked both ways, never twice
    problem = client.get(f"/api/v1/problems/{shown['Y支部']['problem_id']}", headers=p["county"]).get_json()
    assert problem["source"] == "assessment" and problem["source_ref"] == f"review:{y}"
    assert problem["org_name"] == "Y支部" and "差" in problem["title"]
    with in_tenant(tenant):
        for entry_id in (y, z, c2):
            entry = service.get_entry(uuid.UUID(entry_id))
            org = service.orgs.get(entry.org_id)
            service.open_problem(entry, org, service.get_cycle(entry.cycle_id))
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(Problem).where(
            Problem.source_ref.like("review:%")))
        assert count == 3

    # -- next year: last year's ``next`` commitments are carried into X's items
    following = client.post(API, headers=p["county"], json={"root_org_id": str(city["R"]), "year": YEAR + 1})
    assert following.status_code == 201, following.get_json()
    new_x = {e["org_name"]: e for e in following.get_json()["entries"]}["X支部"]["id"]
    items = _entry(client, p["sec_x"], new_x)["items"]
    assert [(i["kind"], i["title"]) for i in items] == [("commitment", "明年发展2名青年党员")]
    assert items[0]["carried_from_id"] == nxt.get_json()["id"]
    kept = client.delete(f"{API}/entries/{new_x}/items/{items[0]['id']}", headers=p["sec_x"])
    assert kept.status_code == 409


def test_attachments_are_checked_and_kept_private(client, city, people):
    p = people
    cycle = client.post(API, headers=p["county"], json={"root_org_id": str(city["R"]), "year": YEAR}).get_json()
    x = {e["org_name"]: e for e in cycle["entries"]}["X支部"]["id"]

    def upload(headers, data, name):
        return client.post(f"{API}/entries/{x}/attachments", headers=headers,
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    fake = upload(p["sec_x"], b"MZ\x90\x00 not a pdf", "述职报告.pdf")
    assert fake.status_code == 422 and "file" in error_fields(fake.get_json())
    assert upload(p["x2"], PDF, "述职报告.pdf").status_code == 403
    stored = upload(p["sec_x"], PDF, "述职报告.pdf")
    assert stored.status_code == 201, stored.get_json()
    row = stored.get_json()
    assert row["original_name"] == "述职报告.pdf" and row["size"] == len(PDF)
    got = client.get(f"{API}/entries/{x}/attachments/{row['id']}", headers=p["x2"])
    assert got.status_code == 200 and got.data == PDF
    assert client.get(f"{API}/entries/{x}/attachments/{row['id']}", headers=p["y2"]).status_code == 404
    assert client.delete(f"{API}/entries/{x}/attachments/{row['id']}", headers=p["sec_x"]).status_code == 204
    assert client.get(f"{API}/entries/{x}/attachments", headers=p["sec_x"]).get_json() == []


def test_another_city_sees_nothing(client, city, people, tenant_b, auth_headers):
    p = people
    cycle = client.post(API, headers=p["county"], json={"root_org_id": str(city["R"]), "year": YEAR}).get_json()
    entry = cycle["entries"][0]["id"]
    other = auth_headers(tenant_b)
    assert client.get(f"{API}/{cycle['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/entries/{entry}", headers=other).status_code == 404
    assert _rate(client, other, entry, "good").status_code == 404
    assert client.get(API, headers=other).get_json() == []
    assert client.get(f"{API}/not-an-id", headers=p["county"]).status_code == 404
    listed = client.get(f"{API}?year=1999", headers=p["county"])
    assert listed.status_code == 422 and "year" in error_fields(listed.get_json())


def test_settings_are_the_tenants(client, city, people):
    p = people
    current = client.get(f"{API}/settings", headers=p["admin"]).get_json()
    assert current["weight_higher"] == 40 and current["overridden"] == []
    assert client.put(f"{API}/settings", headers=p["county"], json={"weight_higher": 50}).status_code == 403
    bad = client.put(f"{API}/settings", headers=p["admin"], json={"grade_good": 10})
    assert bad.status_code == 422 and "grade_good" in error_fields(bad.get_json())
    changed = client.put(f"{API}/settings", headers=p["admin"],
                         json={"weight_higher": 60, "version": current["version"]})
    assert changed.status_code == 200 and changed.get_json()["overridden"] == ["weight_higher"]
    assert client.put(f"{API}/settings", headers=p["admin"],
                      json={"weight_higher": 70, "version": current["version"]}).status_code == 409



def test_writes_are_audited_with_who_did_them(client, tenant, in_tenant, city, people):
    from core.audit.models import AuditEntry

    p = people
    cycle = client.post(API, headers=p["county"], json={"root_org_id": str(city["R"]), "year": YEAR}).get_json()
    x = {e["org_name"]: e for e in cycle["entries"]}["X支部"]["id"]
    assert client.patch(f"{API}/entries/{x}", headers=p["sec_x"],
                        json={"version": 1, "report": "审计草稿"}).status_code == 200
    with in_tenant(tenant):
        rows = db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "review_entries", AuditEntry.action == "update")).all()
        assert len(rows) == 1 and "report" in rows[0].changed
        assert rows[0].after["report"] == "审计草稿" and rows[0].actor_user_id is not None
        created = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "review_entries", AuditEntry.action == "create"))
        assert created == 5
