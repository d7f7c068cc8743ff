"""No ID number, mobile number or encrypted value in the logs (core.protection.log_scrub).

The scrubbing is the logging record factory the app factory installs: every record of the
process — ours, Flask's, SQLAlchemy's, rq's, gunicorn's — is clean before any handler (pytest's
``caplog`` included) sees it.
"""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet

from core.app import create_app
from core.db import db
from core.orgs import service as orgs
from core.protection.log_scrub import scrub
from tests.excel.conftest import person, sheet_bytes
from tests.members.helpers import make_id_number, member_data

ID_NUMBER = "32010219900307001X"
PHONE = "13812345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"id {ID_NUMBER} refused", "id [ID] refused"),
        ("身份证号110101199003071234有误", "身份证号[ID]有误"),
        ("旧身份证 110101900307123 已过期", "旧身份证 [ID] 已过期"),
        (f"call {PHONE} or +86 139-1234-5678", "call [PHONE] or [PHONE]"),
        ("phone=13900001111&page=2", "phone=***&page=2"),
        ('{"address": "北京东路41号", "name": "张三"}', '{"address": ***, "name": "张三"}'),
        ("家庭住址：北京东路41号，电话：010-1234", "家庭住址：***，电话：***"),
        (
            f"token {Fernet(Fernet.generate_key()).encrypt(b'x').decode()} kept",
            "token [ENCRYPTED] kept",
        ),
    ],
)
def test_scrub_removes_personal_data(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "job 0193e1c2-7d4a-7b8e-9f00-123456789abc finished in 1.5 s",
        "request 4f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a",
        "2026-11-23T12:00:00+00:00 import of 5000 rows: 12 errors",
        "GET /api/v1/orgs?page=2 200 (1700000000123 ms)",
        "bytes 170000000012345 sent",  # 15 digits, but no date where an old ID has one
    ],
)
def test_scrub_leaves_ordinary_text_alone(text):
    assert scrub(text) == text


def test_every_record_is_scrubbed_whatever_its_shape(app_ctx, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /members?q={ID_NUMBER}", "s": 200}
    )
    logging.getLogger("werkzeug").info("%s", f"POST /login phone={PHONE}")
    logging.getLogger("core.jobs.runner").error("job failed: %s", ValueError(f"row 3: {PHONE}"))
    logging.getLogger("rq.worker").info("%d rows for %s", 3, int(PHONE))
    try:
        raise RuntimeError(f"ID number {ID_NUMBER} already registered")
    except RuntimeError:
        logging.getLogger("core.api.errors").exception("unhandled error on POST /api/v1/members")
    assert len(caplog.records) == 5
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert ID_NUMBER not in text and PHONE not in text, text
    assert ID_NUMBER not in caplog.text and PHONE not in caplog.text
    assert "[ID]" in caplog.text and "[PHONE]" in caplog.text
    assert "Traceback" in caplog.text  # the traceback is still there, cleaned


def test_an_unhandled_error_in_a_view_is_logged_clean(app, caplog):
    """The real error path: core.api.errors logs the exception with its traceback."""
    other = create_app({k: v for k, v in app.config.items() if k.isupper()})

    @other.route("/api/v1/boom")
    def boom():
        raise ValueError(f"cannot store {ID_NUMBER} / {PHONE}")

    caplog.set_level(logging.DEBUG)
    response = other.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert "unhandled error" in caplog.text and "ValueError" in caplog.text
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    assert ID_NUMBER not in caplog.text and PHONE not in caplog.text


@pytest.fixture
def branch(tenant, in_tenant):
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        b1 = orgs.create(name="第一支部", code="B1", kind="branch", parent=root)
        db.session.commit()
        return b1.id


def test_members_and_an_import_leave_no_personal_data_in_the_logs(
    client, tenant, branch, auth_headers, run_jobs, caplog
):
    """Create, correct and refuse members, import a file with good and bad rows, run the
    job (in an rq worker on the PostgreSQL leg): every log line of all of it, at DEBUG on
    the root logger (SQL included), is free of the ID numbers, phones and addresses."""
    headers = auth_headers(tenant)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # an operator debugging SQL
    secrets_used: set[str] = set()

    data = member_data(branch, phone="13912340001", address="玄武区北京东路41号")
    secrets_used |= {data["id_number"], data["phone"], data["address"]}
    created = client.post("/api/v1/members", json=data, headers=headers)
    assert created.status_code == 201, created.get_json()
    member_id = created.get_json()["id"]
    version = client.get(f"/api/v1/members/{member_id}", headers=headers).get_json()["version"]
    patch = {"phone": "13912340002", "address": "秦淮区中山南路1号", "version": version}
    secrets_used |= {patch["phone"], patch["address"]}
    assert (
        client.patch(f"/api/v1/members/{member_id}", json=patch, headers=headers).status_code == 200
    )
    # failing cases: the same person again, a bad ID number, a bad phone, a stale version
    assert client.post("/api/v1/members", json=data, headers=headers).status_code == 409
    bad_id = make_id_number()[:-1] + "0" if not make_id_number().endswith("0") else "1" * 18
    bad = member_data(branch, id_number=bad_id, phone="13912340003")
    secrets_used |= {bad_id, bad["phone"]}
    assert client.post("/api/v1/members", json=bad, headers=headers).status_code == 422
    worse = member_data(branch, phone="139123400044")
    secrets_used |= {worse["id_number"]}
    assert client.post("/api/v1/members", json=worse, headers=headers).status_code == 422
    stale = {"phone": "13912340005", "version": version}
    secrets_used.add(stale["phone"])
    assert (
        client.patch(f"/api/v1/members/{member_id}", json=stale, headers=headers).status_code == 409
    )

    rows = [
        person("B1", 联系电话="13912340006"),
        person("B1", 联系电话="13912340007"),
        person("B1", 公民身份号码="110101199913451234"),
        person("NOPE"),
    ]
    for row in rows:
        secrets_used |= {str(row["公民身份号码"]), str(row["联系电话"]), row["家庭住址"]}
    form = {"file": (io.BytesIO(sheet_bytes(rows)), "党员.xlsx"), "mode": "valid_rows_only"}
    started = client.post(
        "/api/v1/imports/members", data=form, headers=headers, content_type="multipart/form-data"
    )
    assert started.status_code == 202, started.get_json()
    run_jobs()
    job = client.get(f"/api/v1/jobs/{started.get_json()['id']}", headers=headers).get_json()
    assert job["state"] == "finished", job

    records = caplog.records
    assert len(records) > 100  # the SQL and the job really were logged
    assert any("INSERT INTO members" in r.getMessage() for r in records)
    logged = "\n".join(r.getMessage() + "\n" + (r.exc_text or "") for r in records)
    logged += caplog.text
    leaked = sorted(s for s in secrets_used if s and s in logged)
    assert leaked == [], leaked
