"""The archive API: filing, listing, downloading, correcting and removing documents of a
member and of an applicant; who may do which; the files' checks."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from core import files
from core.audit.models import AuditEntry
from core.db import db
from tests.archives.conftest import PDF, PNG, tid
from tests.support.auth import error_fields


def test_member_archive_file_list_download_remove(client, tenant, tree, add_member, secretary,
                                                   upload, auth_headers, own_headers, in_tenant):
    member_id = add_member(tenant, tree["X"])
    path = f"/members/{member_id}"
    response = upload(secretary, path, "application", name="../申请书.pdf", note="原件存乡镇党委")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["original_name"] == "申请书.pdf" and doc["file_type"] == "pdf"
    assert doc["size"] == len(PDF) and doc["type_label"] == "入党申请书"
    assert doc["member_id"] == str(member_id) and doc["person_id"] is None
    assert str(files.root()).startswith(current_app.instance_path)

    archive = client.get(f"/api/v1{path}/archive", headers=secretary).get_json()
    assert [d["id"] for d in archive["documents"]] == [doc["id"]]
    checklist = archive["completeness"]
    assert checklist["stage"] == "full" and checklist["required_count"] == 6
    assert checklist["present_count"] == 1 and checklist["complete"] is False
    assert "application" not in checklist["missing"] and "conversion_application" in checklist["missing"]

    url = f"/api/v1{path}/archive/{doc['id']}/file"
    own = own_headers(tenant, member_id, tree["X"])
    for headers in (secretary, auth_headers(tenant, "org_manager", tree["C1"])):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200 and answer.data == PDF
        assert answer.mimetype == "application/pdf"
    other_member = auth_headers(tenant, "member", tree["X"])
    assert client.get(url, headers=other_member).status_code == 403
    assert client.get(f"/api/v1{path}/archive", headers=other_member).status_code == 403
    assert client.get(url, headers=auth_headers(tenant, "org_manager", tree["C2"])).status_code == 404
    # Nobody reads their own archive (任何个人不得查阅本人档案): the member's account is no key.
    assert client.get(f"/api/v1{path}/archive", headers=own).status_code == 403
    assert client.get(url, headers=own).status_code == 403
    assert upload(own, path, "thought_report").status_code == 403

    # Removal is soft: a reason is needed, the document leaves the archive and its checklist.
    remove = f"/api/v1{path}/archive/{doc['id']}/remove"
    answer = client.post(remove, headers=secretary, json={})
    assert answer.status_code == 422 and "reason" in error_fields(answer.get_json())
    assert client.post(remove, headers=other_member, json={"reason": "误传"}).status_code == 403
    answer = client.post(remove, headers=secretary, json={"reason": "误传", "version": doc["version"]})
    assert answer.status_code == 200 and answer.get_json()["removal_reason"] == "误传"
    archive = client.get(f"/api/v1{path}/archive", headers=secretary).get_json()
    assert archive["documents"] == [] and [d["id"] for d in archive["removed"]] == [doc["id"]]
    assert archive["completeness"]["present_count"] == 0
    assert client.get(url, headers=secretary).status_code == 200  # kept
    assert client.post(remove, headers=secretary, json={"reason": "再删"}).status_code == 409
    with in_tenant(tenant):
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "archive_documents", AuditEntry.object_id == doc["id"])
            .order_by(AuditEntry.at)).all()
        assert actions == ["create", "update"]


def test_files_and_fields_are_checked(client, tenant, tree, add_member, secretary, upload):
    member_id = add_member(tenant, tree["X"])
    path = f"/members/{member_id}"
    for data, name in ((PNG, "照片.pdf"), (b"MZ\x90\x00" * 20, "a.pdf"), (PDF, "script.exe"), (b"", "empty.pdf")):
        answer = upload(secretary, path, data=data, name=name)
        assert answer.status_code == 422, (name, answer.get_json())
        assert "file" in error_fields(answer.get_json())
    answer = upload(secretary, path, data=None)
    assert answer.status_code == 422 and "file" in error_fields(answer.get_json())
    answer = upload(secretary, path, "diary")
    assert answer.status_code == 422 and "doc_type" in error_fields(answer.get_json())
    answer = upload(secretary, path, dated_on="2999-01-01")
    assert answer.status_code == 422 and "dated_on" in error_fields(answer.get_json())
    answer = upload(secretary, path, dated_on="not a day")
    assert answer.status_code == 422 and "dated_on" in error_fields(answer.get_json())
    answer = upload(secretary, path, title="")
    assert answer.status_code == 422 and "title" in error_fields(answer.get_json())
    before = set((files.root() / str(tid(tenant))).glob("*"))
    current_app.config["ATTACHMENT_MAX_BYTES"] = 100
    try:
        assert upload(secretary, path, data=PDF + b"x" * 200).status_code == 413
    finally:
        current_app.config.pop("ATTACHMENT_MAX_BYTES")
    assert set((files.root() / str(tid(tenant))).glob("*")) == before  # nothing left behind
    archive = client.get(f"/api/v1{path}/archive", headers=secretary).get_json()
    assert archive["documents"] == []
    assert client.get("/api/v1/members/not-an-id/archive", headers=secretary).status_code == 404


def test_correcting_a_document_needs_the_version_read(client, tenant, tree, add_member, secretary, upload):
    member_id = add_member(tenant, tree["X"])
    doc = upload(secretary, f"/members/{member_id}", "other").get_json()
    url = f"/api/v1/members/{member_id}/archive/{doc['id']}"
    answer = client.patch(url, headers=secretary, json={"version": doc["version"], "doc_type": "thought_report",
                                                        "title": "2024年第一季度思想汇报"})
    assert answer.status_code == 200, answer.get_json()
    changed = answer.get_json()
    assert changed["doc_type"] == "thought_report" and changed["version"] == doc["version"] + 1
    answer = client.patch(url, headers=secretary, json={"version": doc["version"], "note": "旧版本"})
    assert answer.status_code == 409 and "version" in error_fields(answer.get_json())
    answer = client.patch(url, headers=secretary, json={"version": changed["version"], "doc_type": "nope"})
    assert answer.status_code == 422 and "doc_type" in error_fields(answer.get_json())
    answer = client.patch(url, headers=secretary, json={"doc_type": "other"})
    assert answer.status_code == 422 and "version" in error_fields(answer.get_json())
    assert client.get(url, headers=secretary).get_json()["title"] == "2024年第一季度思想汇报"


def test_an_applicants_archive_follows_them_into_the_register(client, tenant, tree, introducers,
                                                              secretary, walk, upload):
    from datetime import date

    from tests.development.helpers import timeline

    start = date.today().replace(year=date.today().year - 3, day=1)
    person_id = walk(start, 16, introducer_ids=introducers)
    archive = client.get(f"/api/v1/development/{person_id}/archive", headers=secretary).get_json()
    assert archive["completeness"]["stage"] == "candidate" and archive["member_id"] is None
    doc = upload(secretary, f"/development/{person_id}", "application").get_json()
    assert doc["person_id"] == person_id and doc["member_id"] is None

    step17 = next(s for s in timeline(start, introducers) if s["code"] == 17)
    answer = client.post(f"/api/v1/development/{person_id}/steps", json=step17, headers=secretary)
    assert answer.status_code == 201, answer.get_json()
    member_id = client.get(f"/api/v1/development/{person_id}", headers=secretary).get_json()["member_id"]
    assert member_id is not None

    as_member = client.get(f"/api/v1/members/{member_id}/archive", headers=secretary).get_json()
    assert [d["id"] for d in as_member["documents"]] == [doc["id"]]
    assert as_member["completeness"]["stage"] == "probationary"
    assert as_member["person_ids"] == [person_id]
    # Filed afterwards on the member: seen from the person's page too.
    later = upload(secretary, f"/members/{member_id}", "admission_form").get_json()
    as_person = client.get(f"/api/v1/development/{person_id}/archive", headers=secretary).get_json()
    assert {d["id"] for d in as_person["documents"]} == {doc["id"], later["id"]}
    assert as_person["completeness"] == client.get(
        f"/api/v1/members/{member_id}/archive", headers=secretary).get_json()["completeness"]
    file_url = f"/api/v1/members/{member_id}/archive/{doc['id']}/file"
    assert client.get(file_url, headers=secretary).data == PDF


def test_another_city_sees_nothing(client, tenant, tenant_b, tree, add_member, secretary, upload,
                                   auth_headers):
    member_id = add_member(tenant, tree["X"])
    doc = upload(secretary, f"/members/{member_id}").get_json()
    stranger = auth_headers(tenant_b, "tenant_admin")
    for url in (f"/api/v1/members/{member_id}/archive", f"/api/v1/members/{member_id}/archive/{doc['id']}",
                f"/api/v1/members/{member_id}/archive/{doc['id']}/file"):
        assert client.get(url, headers=stranger).status_code == 404
    assert upload(stranger, f"/members/{member_id}").status_code == 404
    assert client.get(f"/api/v1/members/{member_id}/archive", headers={"X-Tenant": "x"}).status_code in (401, 404)


def test_a_completed_transfer_files_its_letter_and_the_archive_moves_with_the_member(
        client, tenant, tree, add_member, auth_headers, upload):
    from tests.transfers.helpers import accept, issued

    admin = auth_headers(tenant, "tenant_admin")
    member_id = add_member(tenant, tree["X"])
    doc = upload(admin, f"/members/{member_id}", "application").get_json()
    letter = issued(client, admin, member_id, to_org_id=tree["Z"])
    archive = client.get(f"/api/v1/members/{member_id}/archive", headers=admin).get_json()
    assert archive["transfer_letters"] == []  # pending: not on file yet
    assert accept(client, auth_headers(tenant, "branch_secretary", tree["Z"]), letter["code"]).status_code == 200

    # The archive is the member's: it moved with them; X's secretary no longer opens it, Z's does.
    x_secretary = auth_headers(tenant, "branch_secretary", tree["X"])
    assert client.get(f"/api/v1/members/{member_id}/archive", headers=x_secretary).status_code == 404
    archive = client.get(f"/api/v1/members/{member_id}/archive",
                         headers=auth_headers(tenant, "branch_secretary", tree["Z"])).get_json()
    assert [d["id"] for d in archive["documents"]] == [doc["id"]]
    assert [lt["code"] for lt in archive["transfer_letters"]] == [letter["code"]]
    assert "transfer_letter" not in [i["doc_type"] for i in archive["completeness"]["required"]]

    # A city that requires the letter in a full member's archive: the completed transfer counts.
    settings = client.get("/api/v1/archives/settings", headers=admin).get_json()
    answer = client.put("/api/v1/archives/settings", headers=admin, json={
        "required": {"full": ["application", "transfer_letter"]}, "version": settings["version"]})
    assert answer.status_code == 200, answer.get_json()
    checklist = client.get(f"/api/v1/members/{member_id}/archive", headers=admin).get_json()["completeness"]
    assert checklist["complete"] is True and checklist["present_count"] == 2
    figures = client.get("/api/v1/archives/completeness", headers=admin,
                         query_string={"org_id": tree["R"]}).get_json()
    assert (figures["checked"], figures["complete"]) == (1, 1)
