"""The archive pages: a secretary files, downloads, corrects and removes documents of a
member and of an applicant in Chinese; others are kept out; the subtree's completeness."""

from __future__ import annotations

import io
import re
from datetime import date

from tests.archives.conftest import PDF, PNG
from tests.web.conftest import html


def _file(session, path, doc_type="application", data=PDF, name="申请书.pdf", **extra):
    form = {"doc_type": doc_type, "title": extra.pop("title", "入党申请书"),
            "dated_on": extra.pop("dated_on", "2024-03-01"), "file": (io.BytesIO(data), name), **extra}
    return session.post(path, form, content_type="multipart/form-data")


def test_a_secretary_keeps_a_members_archive(tenant, tree, add_member, web_as):
    member_id = add_member(tenant, tree["X"], name="王档案")
    secretary = web_as(tenant, "arch_sec", role="branch_secretary", org=tree["X"])
    page = html(secretary.get(f"/members/{member_id}"))
    assert f"/members/{member_id}/archive" in page and "党员档案" in page
    path = f"/members/{member_id}/archive"
    page = html(secretary.get(path))
    assert "档案完整性" in page and "正式党员" in page and "尚未归档任何材料" in page

    refused = _file(secretary, path, data=PNG, name="照片.pdf")
    assert refused.status_code == 422 and "文件扩展名为 .pdf，但其内容是 png" in html(refused)
    future = _file(secretary, path, dated_on="2999-01-01")
    assert future.status_code == 422 and "材料日期不能晚于今天" in html(future)
    done = _file(secretary, path)
    assert done.status_code == 302, html(done)
    page = html(secretary.get(path))
    assert "已归档：入党申请书" in page and "申请书.pdf" in page
    assert "应有材料 6 份，已归档 1 份" in page
    link = re.search(rf'href="({path}/[0-9a-f-]+/file)"', page).group(1)
    download = secretary.get(link)
    assert download.status_code == 200 and download.data == PDF

    edit = re.search(rf'href="({path}/[0-9a-f-]+/edit)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html(secretary.get(edit))).group(1)
    changed = secretary.post(edit, {"version": version, "doc_type": "thought_report",
                                    "title": "思想汇报", "dated_on": "2024-04-01"})
    assert changed.status_code == 302, html(changed)
    stale = secretary.post(edit, {"version": version, "doc_type": "application",
                                  "title": "入党申请书", "dated_on": "2024-04-01"})
    assert stale.status_code == 409 and "该记录已被他人修改，本次未保存" in html(stale)
    remove = edit.replace("/edit", "/remove")
    assert secretary.post(remove, {"reason": ""}, form_page=edit).status_code == 422
    gone = secretary.post(remove, {"reason": "重复上传"}, form_page=edit)
    assert gone.status_code == 302, html(gone)
    page = html(secretary.get(path))
    assert "已移除的材料" in page and "重复上传" in page and "尚未归档任何材料" in page

    other = web_as(tenant, "arch_member", role="member", org=tree["X"])
    assert other.get(path).status_code == 403
    assert other.get(link).status_code == 403
    outsider = web_as(tenant, "arch_c2", role="org_manager", org=tree["C2"])
    assert outsider.get(path).status_code == 404


def test_an_applicants_archive_and_the_overview(client, tenant, tree, web_as, auth_headers):
    from tests.archives.conftest import applicant_body

    admin = auth_headers(tenant, "tenant_admin")
    answer = client.post("/api/v1/development", headers=admin,
                         json=applicant_body(tree["X"], date.today().replace(day=1)))
    person_id = answer.get_json()["id"]
    secretary = web_as(tenant, "arch_sec2", role="branch_secretary", org=tree["X"])
    assert f"/work/development/{person_id}/archive" in html(secretary.get(f"/work/development/{person_id}"))
    path = f"/work/development/{person_id}/archive"
    assert "入党申请人" in html(secretary.get(path))

    manager = web_as(tenant, "arch_mgr", role="org_manager", org=tree["C1"])
    overview = html(manager.get(f"/archives?org={tree['C1']}"))
    assert "档案不全名单" in overview and "孙小明" in overview and "入党申请书" in overview
    assert _file(secretary, path).status_code == 302
    overview = html(manager.get(f"/archives?org={tree['C1']}"))
    assert "检查范围内的档案均已齐全" in overview and "100.0%" in overview
    assert web_as(tenant, "arch_m", role="member", org=tree["X"]).get(f"/archives?org={tree['X']}").status_code == 403


def test_the_settings_are_edited_on_the_plugin_settings_page(tenant, tree, web_as, client, auth_headers):
    admin = web_as(tenant, "arch_admin", role="tenant_admin")
    path = "/admin/plugins/core.archives.plugin"
    page = admin.get(path)
    assert page.status_code == 200, html(page)[:500]
    text = html(page)
    assert "members_joined_from" in text and "extra_document_types" in text
    version = re.search(r'name="version"[^>]*value="(\d+)"', text).group(1)
    saved = admin.post(path, {"version": version, "members_joined_from": "2021-05-01",
                              "extra_document_types": '{"key": "talk_record", "label": "谈话记录"}',
                              "required": '{"applicant": ["application"]}'})
    assert saved.status_code in (200, 302), html(saved)[:2000]
    body = client.get("/api/v1/archives/settings", headers=auth_headers(tenant, "tenant_admin")).get_json()
    assert body["members_joined_from"] == "2021-05-01"
    assert body["extra_document_types"] == [{"key": "talk_record", "label": "谈话记录"}]
    assert body["required"] == {"applicant": ["application"]}


def test_a_nul_character_in_a_form_is_refused_beside_the_field(tenant, tree, add_member, web_as):
    member_id = add_member(tenant, tree["X"], name="王档案")
    secretary = web_as(tenant, "arch_nul", role="branch_secretary", org=tree["X"])
    path = f"/members/{member_id}/archive"
    refused = _file(secretary, path, title="入党\x00申请书", note="备\x00注")
    assert refused.status_code == 422, html(refused)[:300]
    assert "不能包含空字符" in html(refused)
    assert "尚未归档任何材料" in html(refused)
