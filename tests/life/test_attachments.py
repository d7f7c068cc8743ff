"""Meeting attachments: accepted by content, refused when the content and name disagree or
the file is too big, names sanitised, downloads scope-checked."""

from __future__ import annotations

import io
import zipfile

import pytest

from core import files
from core.db import db
from tests.life.helpers import days_ago, make_org, meeting
from tests.orgs.conftest import add_members
from tests.support.auth import error_fields

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def setup(tenant, in_tenant):
    with in_tenant(tenant):
        root = make_org("R", kind="committee")
        b1, b2 = make_org("B1", parent=root), make_org("B2", parent=root)
        members = add_members(b1, 2)
        db.session.flush()
        m = meeting(b1, "theme_day", days_ago(1), present=members)
        db.session.commit()
        return {"meeting": m.id, "b1": b1.id, "b2": b2.id}


def upload(client, headers, meeting_id, data: bytes, name: str):
    return client.post(f"/api/v1/meetings/{meeting_id}/attachments", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_list_download(client, tenant, setup, auth_headers, app):
    secretary = auth_headers(tenant, role="branch_secretary", org=setup["b1"])
    url = f"/api/v1/meetings/{setup['meeting']}/attachments"
    response = upload(client, secretary, setup["meeting"], PDF, "../../etc/会议记录.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["original_name"] == "会议记录.pdf" and body["file_type"] == "pdf"
    assert body["size"] == len(PDF)
    for data, name, kind in [(PNG, "签到.PNG", "png"), (JPG, "photo.jpeg", "jpg"), (docx_bytes(), "记录.docx", "docx")]:
        response = upload(client, secretary, setup["meeting"], data, name)
        assert response.status_code == 201 and response.get_json()["file_type"] == kind
    listed = client.get(url, headers=secretary).get_json()
    assert len(listed) == 4
    response = client.get(f"{url}/{body['id']}", headers=secretary)
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    # stored under a name of ours, outside the static folder
    with app.app_context():
        stored = list((files.root()).rglob("*.pdf"))
    assert stored and all("会议记录" not in p.name and "static" not in p.parts for p in stored)

    other_branch = auth_headers(tenant, role="branch_secretary", org=setup["b2"])
    assert client.get(f"{url}/{body['id']}", headers=other_branch).status_code == 404
    assert upload(client, other_branch, setup["meeting"], PDF, "x.pdf").status_code == 404
    member = auth_headers(tenant, role="member", org=setup["b1"])
    assert client.get(f"{url}/{body['id']}", headers=member).status_code == 200
    assert upload(client, member, setup["meeting"], PDF, "x.pdf").status_code == 403


@pytest.mark.parametrize(("data", "name"), [
    (PNG, "scan.pdf"),  # PNG content named .pdf
    (PDF, "report.exe"),  # extension not allowed
    (b"just text", "notes.pdf"),
    (b"PK\x03\x04 broken zip", "x.docx"),
    (docx_bytes(), "sheet.xlsx"),  # a Word file named as a workbook
    (b"", "empty.pdf"),
])
def test_refused_files(client, tenant, setup, auth_headers, data, name):
    admin = auth_headers(tenant)
    response = upload(client, admin, setup["meeting"], data, name)
    assert response.status_code == 422, response.get_json()
    assert "file" in error_fields(response.get_json())
    assert client.get(f"/api/v1/meetings/{setup['meeting']}/attachments", headers=admin).get_json() == []


def test_too_big_is_refused(client, tenant, setup, auth_headers, monkeypatch, app):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100)
    admin = auth_headers(tenant)
    response = upload(client, admin, setup["meeting"], PDF + b"0" * 100, "big.pdf")
    assert response.status_code == 413 and "file" in error_fields(response.get_json())
    assert upload(client, admin, setup["meeting"], PDF, "small.pdf").status_code == 201
    with app.app_context():
        assert not list(files.root().rglob("*.part"))  # nothing half-written left behind


def test_sanitise_name():
    assert files.sanitise_name("../../etc/passwd") == "passwd"
    assert files.sanitise_name("..\\..\\boot.ini") == "boot.ini"
    assert files.sanitise_name("a\x00b\nc.pdf") == "abc.pdf"
    assert files.sanitise_name("..") == "file" and files.sanitise_name(None) == "file"
    assert len(files.sanitise_name("长" * 500 + ".pdf")) == files.NAME_MAX
    assert files.sanitise_name("长" * 500 + ".pdf").endswith(".pdf")


def test_path_for_accepts_only_stored_names(app_ctx):
    for bad in ("../x.pdf", "abc.pdf", "0" * 32 + ".exe", "/etc/passwd"):
        with pytest.raises(ValueError):
            files.path_for(1, bad)
    assert files.path_for(1, "a" * 32 + ".pdf").name == "a" * 32 + ".pdf"
