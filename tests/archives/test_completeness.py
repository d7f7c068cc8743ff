"""Completeness per development stage: the warning rules (raised on a missing document,
resolved once it is filed), which members are checked, the subtree figure against a direct
count, and the tenant's settings (own document types, required types per stage)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from core.archives import service
from core.archives.settings import DEFAULT_REQUIRED
from core.db import db
from core.development.models import DevelopmentPerson
from core.members.models import Member
from core.orgs.models import Organization
from tests.archives.conftest import applicant_body
from tests.members.helpers import make_id_number
from tests.support.auth import error_fields


def _applicant(client, headers, org_id, name="孙小明", **extra) -> str:
    body = applicant_body(org_id, date.today().replace(day=1), name=name, **extra)
    answer = client.post("/api/v1/development", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def test_a_missing_document_warns_until_it_is_filed(client, tenant, tree, add_member, secretary,
                                                    upload, sweep):
    person_id = uuid.UUID(_applicant(client, secretary, tree["X"]))
    legacy = add_member(tenant, tree["X"], name="老党员")  # joined 2015, nothing filed: not checked
    found = sweep()
    assert set(found) == {person_id}
    rule, message = found[person_id]
    assert rule == "archives.person_documents_missing"
    assert message == "入党申请人 孙小明 的档案缺少 1 份材料：入党申请书"
    assert legacy not in found

    assert upload(secretary, f"/development/{person_id}", "application").status_code == 201
    # Filing refreshed the branch's archive warnings at once: no sweep needed.
    answer = client.get("/api/v1/warnings", headers=secretary,
                        query_string={"rule": "archives.person_documents_missing"})
    assert answer.status_code == 200, answer.get_json()
    assert [w for w in answer.get_json() if w["subject_id"] == str(person_id)] == []
    assert sweep() == {}


def test_which_members_are_checked(client, tenant, tree, add_member, auth_headers, upload, sweep):
    admin = auth_headers(tenant, "tenant_admin")
    legacy = add_member(tenant, tree["X"], name="老党员")
    recent = add_member(tenant, tree["X"], name="新党员", birth=date(1999, 1, 2), joined_on="2025-03-01",
                        full_on=None, status="probationary")
    opened = add_member(tenant, tree["Y"], name="李档案", birth=date(1980, 1, 2))
    assert upload(admin, f"/members/{opened}", "application").status_code == 201
    found = sweep()
    assert set(found) == {opened}
    rule, message = found[opened]
    assert rule == "archives.member_documents_missing"
    assert message.startswith("正式党员 李档案 的档案缺少 5 份材料") and "转正申请书" in message

    settings = client.get("/api/v1/archives/settings", headers=admin).get_json()
    answer = client.put("/api/v1/archives/settings", headers=admin,
                        json={"members_joined_from": "2020-01-01", "version": settings["version"]})
    assert answer.status_code == 200, answer.get_json()
    found = sweep()
    assert set(found) == {opened, recent} and legacy not in found
    assert found[recent][1].startswith("预备党员 新党员 的档案缺少 5 份材料")


def test_subtree_figures_match_a_direct_count(client, tenant, tree, add_member, auth_headers, upload,
                                              in_tenant):
    admin = auth_headers(tenant, "tenant_admin")
    complete_types = DEFAULT_REQUIRED["full"]
    done = add_member(tenant, tree["X"], name="全档案", birth=date(1970, 1, 2))
    for doc_type in complete_types:
        assert upload(admin, f"/members/{done}", doc_type).status_code == 201
    half = add_member(tenant, tree["X"], name="半档案", birth=date(1971, 1, 2))
    upload(admin, f"/members/{half}", "application")
    in_z = add_member(tenant, tree["Z"], name="外支部", birth=date(1972, 1, 2))
    upload(admin, f"/members/{in_z}", "application")
    person_x = _applicant(client, admin, tree["X"])
    upload(admin, f"/development/{person_x}", "application")  # an applicant needs only that
    _applicant(client, admin, tree["Y"], name="周未交", id_number=make_id_number(date(2000, 2, 3), "male"))

    answer = client.get("/api/v1/archives/completeness", headers=admin, query_string={"org_id": tree["C1"]})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["checked"], body["complete"], body["incomplete"]) == (4, 2, 2)
    assert body["share"] == 0.5
    assert {s["stage"]: (s["checked"], s["complete"]) for s in body["by_stage"]} == {
        "full": (2, 1), "applicant": (2, 1)}
    assert {a["name"] for a in body["incomplete_archives"]} == {"周未交", "半档案"}
    # Against a direct count, archive by archive, through the one-archive checklist.
    with in_tenant(tenant):
        c1 = db.session.scalar(select(Organization).where(Organization.code == "C1"))
        below = select(Organization.id).where(Organization.path.startswith(c1.path))
        subjects = [service.member_subject(m) for m in db.session.scalars(
            select(Member).where(Member.org_id.in_(below)))]
        subjects += [service.person_subject(p) for p in db.session.scalars(
            select(DevelopmentPerson).where(DevelopmentPerson.org_id.in_(below)))]
        checklists = [service.completeness(s) for s in subjects]
        opened = [c for s, c in zip(subjects, checklists, strict=True)
                  if s.kind == "person" or c["present_count"] > 0]
        assert len(opened) == body["checked"]
        assert sum(c["complete"] for c in opened) == body["complete"]
    whole = client.get("/api/v1/archives/completeness", headers=admin,
                       query_string={"org_id": tree["R"]}).get_json()
    assert (whole["checked"], whole["complete"]) == (5, 2)
    x_secretary = auth_headers(tenant, "branch_secretary", tree["X"])
    assert client.get("/api/v1/archives/completeness", headers=x_secretary,
                      query_string={"org_id": tree["C1"]}).status_code == 404
    assert client.get("/api/v1/archives/completeness", headers=auth_headers(tenant, "member", tree["X"]),
                      query_string={"org_id": tree["X"]}).status_code == 403
    mine = client.get("/api/v1/archives/completeness", headers=x_secretary,
                      query_string={"org_id": tree["X"]}).get_json()
    assert (mine["checked"], mine["complete"]) == (3, 2)
    answer = client.get("/api/v1/archives/completeness", headers=admin)
    assert answer.status_code == 422 and "org_id" in error_fields(answer.get_json())


def test_tenant_document_types_and_requirements(client, tenant, tree, add_member, auth_headers, upload):
    admin = auth_headers(tenant, "tenant_admin")
    settings = client.get("/api/v1/archives/settings", headers=admin).get_json()
    assert settings["required"]["full"] == DEFAULT_REQUIRED["full"] and settings["overridden"] == []
    for bad, field in (({"required": {"full": ["talk_record"]}}, "required"),
                       ({"extra_document_types": [{"key": "application", "label": "重复"}]}, "extra_document_types"),
                       ({"extra_document_types": [{"key": "Bad Key", "label": "x"}]}, "extra_document_types"),
                       ({"required": {"someday": []}}, "required")):
        answer = client.put("/api/v1/archives/settings", headers=admin, json=bad | {"version": settings["version"]})
        assert answer.status_code == 422, (bad, answer.get_json())
        assert field in str(answer.get_json()["errors"]), answer.get_json()
    body = {"extra_document_types": [{"key": "talk_record", "label": "谈话记录"}],
            "required": {"full": ["application", "talk_record"]}, "version": settings["version"]}
    answer = client.put("/api/v1/archives/settings", headers=admin, json=body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["overridden"] == ["extra_document_types", "required"]
    stale = client.put("/api/v1/archives/settings", headers=admin, json=body)
    assert stale.status_code == 409
    types = client.get("/api/v1/archives/types", headers=admin).get_json()
    assert types[-1] == {"key": "talk_record", "label": "谈话记录", "national": False}

    member_id = add_member(tenant, tree["X"])
    assert upload(admin, f"/members/{member_id}", "talk_record", title="谈话记录").status_code == 201
    checklist = client.get(f"/api/v1/members/{member_id}/archive", headers=admin).get_json()["completeness"]
    assert [(i["doc_type"], i["label"], i["present"]) for i in checklist["required"]] == [
        ("application", "入党申请书", False), ("talk_record", "谈话记录", True)]
    assert checklist["missing_labels"] == ["入党申请书"]
    assert client.put("/api/v1/archives/settings", headers=auth_headers(tenant, "org_manager", tree["C1"]),
                      json={}).status_code == 403


def test_a_stopped_person_and_a_member_who_left_are_not_checked(client, tenant, tree, add_member,
                                                                 secretary, upload, sweep):
    person_id = uuid.UUID(_applicant(client, secretary, tree["X"]))
    gone = add_member(tenant, tree["X"], name="已出党", birth=date(1960, 1, 2))
    assert upload(secretary, f"/members/{gone}", "application").status_code == 201
    assert set(sweep()) == {person_id, gone}

    answer = client.post(f"/api/v1/development/{person_id}/status", headers=secretary,
                         json={"status": "stopped", "reason": "本人撤回申请"})
    assert answer.status_code == 200, answer.get_json()
    member = client.get(f"/api/v1/members/{gone}", headers=secretary).get_json()
    answer = client.post(f"/api/v1/members/{gone}/status", headers=secretary,
                         json={"status": "left", "on": date.today().isoformat(), "reason": "自行脱党",
                               "version": member["version"]})
    assert answer.status_code == 200, answer.get_json()
    assert sweep() == {}
    for path in (f"/development/{person_id}", f"/members/{gone}"):
        checklist = client.get(f"/api/v1{path}/archive", headers=secretary).get_json()["completeness"]
        assert checklist["checked"] is False and checklist["required"] == [] and checklist["stage"] is None
