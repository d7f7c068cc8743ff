"""Uploads (core.files attachments and core.excel.uploads workbooks): type by content,
extension agreement, size limits (413 with a clear JSON error on the API, a Chinese page in
the web app), sanitised names, and storage outside anything the web server serves."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import files
from core.db import db
from core.excel import uploads
from core.jobs.models import Job
from tests.excel import broken_files as bf
from tests.excel.conftest import person
from tests.web.conftest import web_as  # noqa: F401 - the web session fixture


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\system32\\cmd.pdf", "cmd.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        (
            "invoice\u202efdp.exe",
            "invoicefdp.exe",
        ),  # the right-to-left override would show "exe.pdf"
        ("\u200b会议\ufeff记录.pdf", "会议记录.pdf"),
        ("CON", "_CON"),
        ("nul.pdf", "_nul.pdf"),
        ("LPT1.docx", "_LPT1.docx"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("...", "file"),
        ("", "file"),
        (None, "file"),
        ("党员会议 记录.pdf", "党员会议 记录.pdf"),
    ],
)
def test_names_are_sanitised(raw, expected):
    assert files.sanitise_name(raw) == expected


def test_a_very_long_name_keeps_its_extension():
    name = files.sanitise_name("长" * 500 + ".pdf")
    assert len(name) == files.NAME_MAX and name.endswith(".pdf")


def _listing(folder: Path) -> set[Path]:
    return set(folder.iterdir()) if folder.exists() else set()


def _static_folders(app) -> list[Path]:
    folders = [app.static_folder] + [bp.static_folder for bp in app.blueprints.values()]
    return [Path(f).resolve() for f in folders if f]


def _assert_private(app, path: Path) -> None:
    path = path.resolve()
    assert path.is_relative_to(Path(app.instance_path).resolve()), path
    for static in _static_folders(app):
        assert not path.is_relative_to(static), (path, static)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def _static_routes(app) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.endswith("static")]


def _guesses(app, path: Path) -> list[str]:
    """Paths a guesser might try through each static route for the stored ``path``."""
    guesses = []
    for rule in _static_routes(app):
        base = rule.split("<")[0].rstrip("/")
        relative = Path(os.path.relpath(path, Path(app.root_path)))
        for tail in (
            path.name,
            f"{path.parent.name}/{path.name}",
            str(relative),
            "../" * 8 + str(path).lstrip("/"),
            "%2e%2e/" * 8 + str(path).lstrip("/"),
            "..%2f" * 8 + str(path).lstrip("/"),
        ):
            guesses.append(f"{base}/{tail}")
    return guesses


def test_attachments_are_private_and_not_served(app_ctx, tenant, client):
    tenant_id = tenant.id  # a request detaches the fixture's row
    stored = files.store(tenant_id, io.BytesIO(bf.pdf()), "../../会议记录.pdf")
    assert (stored.file_type, stored.original_name) == ("pdf", "会议记录.pdf")
    path = files.path_for(tenant_id, stored.name)
    _assert_private(app_ctx, path)
    assert _static_routes(app_ctx), "no static route found: the probe below would prove nothing"
    for guess in _guesses(app_ctx, path):
        response = client.get(guess)
        assert response.status_code != 200 or response.data != path.read_bytes(), guess
    files.discard(tenant_id, stored.name)


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (bf.png(), "photo.pdf", "named .pdf but its content is png"),
        (bf.pdf(), "report.exe", "type .exe are not accepted"),
        (bf.plain_text(), "notes.pdf", "not a PDF, JPEG, PNG"),
        (bf.zip_not_workbook(), "members.xlsx", "not a PDF, JPEG, PNG"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_attachments_are_typed_by_content(app_ctx, tenant, data, name, says):
    folder = files.root() / str(tenant.id)
    before = _listing(folder)
    with pytest.raises(files.FileError) as refused:
        files.store(tenant.id, io.BytesIO(data), name)
    assert refused.value.status == 422 and says in refused.value.reason
    assert _listing(folder) == before  # nothing kept, not even the part written


def test_an_attachment_over_the_limit_is_413_and_not_kept(app_ctx, tenant, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "ATTACHMENT_MAX_BYTES", 100)
    folder = files.root() / str(tenant.id)
    before = _listing(folder)
    with pytest.raises(files.FileError) as refused:
        files.store(tenant.id, io.BytesIO(bf.pdf() + b"%" * 200), "big.pdf")
    assert refused.value.status == 413 and "100 bytes" in refused.value.reason
    assert _listing(folder) == before


def test_workbooks_are_private_and_not_served(app_ctx, tenant, client):
    tenant_id = tenant.id  # a request detaches the fixture's row
    name = uploads.store(tenant_id, io.BytesIO(bf.xlsx([person("B1")])))
    path = uploads.path_for(tenant_id, name)
    _assert_private(app_ctx, path)
    for guess in _guesses(app_ctx, path):
        response = client.get(guess)
        assert response.status_code != 200 or response.data != path.read_bytes(), guess
    for bad in (
        "../../secret_key",
        "/etc/passwd",
        name.upper(),
        name + "/x",
        name.replace(".xlsx", ".pdf"),
    ):
        with pytest.raises(ValueError):
            uploads.path_for(tenant_id, bad)
    uploads.discard(tenant_id, name)
    assert not path.exists()


def test_cli_copies_over_the_limit_are_refused(app_ctx, tenant, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "MAX_CONTENT_LENGTH", 1000)
    folder = uploads.upload_root() / str(tenant.id)
    before = _listing(folder)
    with pytest.raises(uploads.UploadError) as refused:
        uploads.store(tenant.id, io.BytesIO(bf.xlsx([person("B1") for _ in range(20)])))
    assert refused.value.status == 413 and "limit of 1000 bytes" in refused.value.reason
    assert _listing(folder) == before


def test_api_upload_over_max_content_length_is_413_json(
    tenant, auth_headers, client, app_ctx, monkeypatch, in_tenant
):
    monkeypatch.setitem(app_ctx.config, "MAX_CONTENT_LENGTH", 2048)
    data = bf.xlsx([person("B1") for _ in range(20)])
    assert len(data) > 2048
    response = client.post(
        "/api/v1/imports/members",
        data={"file": (io.BytesIO(data), "a.xlsx")},
        headers=auth_headers(tenant),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == 413 and body["message"].startswith("file: ")
    assert body["errors"] == {
        "file": ["The upload is larger than the limit of 2.0 KB (2048 bytes)."]
    }
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_web_upload_over_the_limit_gets_a_chinese_page(
    tenant,
    web_as,  # noqa: F811 - the fixture imported above
    app_ctx,
    monkeypatch,
    in_tenant,
):
    web = web_as(tenant, "admin")
    token = web.csrf("/imports")
    monkeypatch.setitem(app_ctx.config, "MAX_CONTENT_LENGTH", 4096)
    data = bf.xlsx([person("B1") for _ in range(40)])
    response = web.client.post(
        "/imports",
        data={"csrf_token": token, "file": (io.BytesIO(data), "党员.xlsx")},
        headers={"Host": web.host, "Referer": f"http://{web.host}/imports"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>文件过大</h1>" in page
    assert "上传的文件超过了 4.0 KB 的上限" in page
    assert f'href="http://{web.host}/imports"' in page  # back to the form
    assert "exceeds the capacity limit" not in page  # Werkzeug's English text
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_uploaders_file_name_is_kept_sanitised(tree, tenant, auth_headers, upload):
    _, job = upload(
        auth_headers(tenant), bf.xlsx([person("B1")]), filename="..\\..\\党员\u202exslx.exe"
    )
    assert job["result"]["filename"] == "党员xslx.exe"
