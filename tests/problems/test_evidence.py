"""Evidence (佐证材料): text and files, checked by content, kept outside any web root, served
only to users who see the problem, frozen once submitted."""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import func, select

from core import files
from core.db import db
from core.problems.models import ProblemEvidence
from tests.problems.conftest import PDF, PNG, add_text_evidence, upload
from tests.support.auth import _tenant_id, error_fields


def _stored_files(tenant_id) -> list:
    folder = files.root() / str(tenant_id)
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_upload_download_and_remove(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"])["id"]
    # The instance folder is shared by the whole run (other tests' files may be there).
    already = set(_stored_files(_tenant_id(tenant)))
    response = upload(client, secretary, pid, PDF, "../整改报告.pdf", text="整改报告")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["original_name"] == "整改报告.pdf" and body["file_type"] == "pdf"
    assert body["has_file"] is True and body["text"] == "整改报告" and body["size"] == len(PDF)
    assert str(files.root()).startswith(current_app.instance_path)
    assert "static" not in str(files.root())

    url = f"/api/v1/problems/{pid}/evidence/{body['id']}"
    for headers in (secretary, login(tenant, "member", "X"), login(tenant, "org_manager", "C1")):
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and response.data == PDF
        assert response.mimetype == "application/pdf"
    assert client.get(url, headers=login(tenant, "org_manager", "C2")).status_code == 404
    assert client.get(url, headers={"X-Tenant": "alpha"}).status_code == 401

    text = add_text_evidence(client, secretary, pid).get_json()
    assert text["has_file"] is False
    assert client.get(f"/api/v1/problems/{pid}/evidence/{text['id']}", headers=secretary).status_code == 404
    listed = client.get(f"/api/v1/problems/{pid}/evidence", headers=secretary).get_json()
    assert [e["id"] for e in listed] == [body["id"], text["id"]]

    tenant_id = _tenant_id(tenant)
    assert len(set(_stored_files(tenant_id)) - already) == 1
    assert client.delete(url, headers=login(tenant, "member", "X")).status_code == 403
    assert client.delete(url, headers=secretary).status_code == 204
    assert set(_stored_files(tenant_id)) - already == set()
    detail = client.get(f"/api/v1/problems/{pid}", headers=admin).get_json()
    assert [e["kind"] for e in detail["events"]] == ["created", "evidence_added", "evidence_added",
                                                      "evidence_removed"]


def test_files_are_judged_by_content(client, tenant, city, login, new_problem, in_tenant):
    admin = login(tenant, "tenant_admin")
    pid = new_problem(admin, city["X"])["id"]
    for data, name, status in ((PNG, "照片.pdf", 422), (b"MZ\x90\x00" * 20, "a.pdf", 422),
                               (PDF, "script.exe", 422), (b"", "empty.pdf", 422)):
        response = upload(client, admin, pid, data, name)
        assert response.status_code == status, (name, response.get_json())
        assert "file" in error_fields(response.get_json())
    current_app.config["ATTACHMENT_MAX_BYTES"] = 100
    try:
        response = upload(client, admin, pid, PDF + b"x" * 200, "big.pdf")
        assert response.status_code == 413
    finally:
        current_app.config.pop("ATTACHMENT_MAX_BYTES")
    response = client.post(f"/api/v1/problems/{pid}/evidence", headers=admin, data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and {"text", "file"} <= error_fields(response.get_json())
    response = client.post(f"/api/v1/problems/{pid}/evidence", headers=admin, json={"text": "json"})
    assert response.status_code == 422
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(ProblemEvidence)) == 0
    assert upload(client, admin, pid, PNG, "现场.png").status_code == 201


def test_evidence_frozen_after_submission(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"])["id"]
    assert client.post(f"/api/v1/problems/{pid}/start", headers=secretary, json={}).status_code == 200
    first = add_text_evidence(client, secretary, pid).get_json()
    assert client.post(f"/api/v1/problems/{pid}/submit", headers=secretary,
                       json={"rectification": "已整改"}).status_code == 200
    tenant_id = _tenant_id(tenant)
    before = _stored_files(tenant_id)
    response = upload(client, secretary, pid, PDF, "迟到的材料.pdf")
    assert response.status_code == 409
    assert _stored_files(tenant_id) == before  # the refused file was not kept
    assert client.delete(f"/api/v1/problems/{pid}/evidence/{first['id']}", headers=secretary).status_code == 409
    assert client.delete(f"/api/v1/problems/{pid}/evidence/{uuid.uuid4()}", headers=secretary).status_code == 404
