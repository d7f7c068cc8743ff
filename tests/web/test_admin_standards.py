"""Standards, the score preview and the star settings in the browser's forms (test client):
pages render real data, the preview's numbers are what a real run gives once the change is
saved, saving writes a version, bad input is a 422 beside the field with nothing written,
lower roles get 403, another city's standard 404, and a form without its CSRF token is
refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from core.assessment import cycles
from core.assessment import standards as standard_service
from core.assessment.models.standards import CustomIndicator, StandardVersion
from core.assessment.settings import DEFAULT_VETO_REASONS, PLUGIN
from core.assessment.settings import current as current_settings
from core.db import db
from core.orgs import service as orgs
from core.plugins import settings as plugin_settings
from core.plugins.hookspecs import hookimpl
from tests.assessment import cycle_helpers as h
from tests.support.plugins import registrar
from tests.web.conftest import html

D = Decimal
ROW = re.compile(r'data-org="([^"]+)" data-new-score="([^"]+)" data-new-stars="(\d)"')


class _Indicators:
    @hookimpl
    def dangjian_indicators(self):
        return h.CT_INDICATORS


@pytest.fixture
def city(tenant, tenant_b, in_tenant, app_ctx):
    """R → C1 → A (5 full), B (2 full, 1 lost contact), C (10 full, no contact or phone);
    R → C2 → D; one standard over the CT indicators (A 65, B 54, C 70, D 30); another city
    with a standard of its own."""
    tenant_id, beta_id = inspect(tenant).identity[0], inspect(tenant_b).identity[0]
    with registrar() as register:
        register(_Indicators(), "web_test_indicators", [tenant_id, beta_id])
        with in_tenant(tenant_id):
            root = h.make_org(kind="committee", code="R")
            c1 = h.make_org(root, kind="committee", code="C1")
            c2 = h.make_org(root, kind="committee", code="C2")
            a, b = h.make_org(c1, code="A"), h.make_org(c1, code="B")
            c = h.make_org(c1, code="C", contact=None, phone=None)
            h.make_org(c2, code="D")
            h.add_members(a, 5)
            h.add_members(b, 2)
            h.add_members(b, 1, status="lost_contact")
            h.add_members(c, 10)
            standard = h.make_standard("支部标准")
            db.session.commit()
            ids = {"tenant": tenant_id, "R": root.id, "C1": c1.id, "standard": standard.id}
        with in_tenant(beta_id):
            ids["beta_standard"] = h.make_standard("乙市标准").id
            db.session.commit()
        yield ids


def _publish(city):
    with_tenant = city["tenant"]
    from core.tenancy import tenant_context

    with tenant_context(with_tenant):
        cycle = h.open_cycle(orgs.get(city["R"]), standard_ids=[city["standard"]])
        h.run(cycle)
        cycles.publish(cycle)
        db.session.commit()
        return cycle.id


def _form(weights=None, params=None, **extra) -> dict:
    """The edit form's fields: rows in the standard's order (members, size, records, lost,
    review), every parameter as shown."""
    weights = {**h.WEIGHTS, **(weights or {})}
    data = {}
    for n, key in enumerate(h.WEIGHTS):
        data[f"k{n}"] = key
        data[f"w{n}"] = str(weights[key])
    data.update({"p0_target": "3", "p1_target": "10", "p3_per_unit": "5"})
    data.update(params or {})
    data.update(extra)
    return data


def _versions(city) -> int:
    from core.tenancy import tenant_context

    with tenant_context(city["tenant"]):
        return db.session.scalar(select(func.count()).select_from(StandardVersion)
                                 .where(StandardVersion.standard_id == city["standard"]))


def _field_errors(page: str, name: str) -> str:
    """The text of the field block holding input ``name`` (its errors are inside)."""
    found = re.search(r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="' + name
                      + r'"(?:(?!<div class="field).)*', page, re.S)
    assert found, f"no field {name}"
    return found.group(0)


def test_the_list_and_the_standard_render_real_data(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    listing = html(admin.get("/admin/standards"))
    assert "支部标准" in listing and "第 1 版" in listing and "乙市标准" not in listing
    page = admin.get(f"/admin/standards/{city['standard']}")
    assert page.status_code == 200
    text = html(page)
    assert "党员人数达标" in text and "失联党员" in text
    assert re.search(r'name="w0"[^>]*value="20"', text) or re.search(r'value="20"[^>]*name="w0"', text)
    assert 'name="p0_target"' in text and 'name="p3_per_unit"' in text
    assert "100" in text  # the points in all
    versions = html(admin.get(f"/admin/standards/{city['standard']}/versions"))
    assert "第 1 版" in versions
    one = html(admin.get(f"/admin/standards/{city['standard']}/versions/1"))
    assert "党员人数达标" in one and "ct.members" in one
    assert admin.get(f"/admin/standards/{city['standard']}/versions/9").status_code == 404


def test_the_preview_equals_a_real_run_of_the_saved_change(city, web_as, tenant):
    _publish(city)
    admin = web_as(city["tenant"], "admin")
    url = f"/admin/standards/{city['standard']}"
    change = _form({"ct.members": 30, "ct.size": 20}, {"p3_per_unit": "10"})
    shown = admin.post(url, {**change, "action": "preview"})
    assert shown.status_code == 200, html(shown)
    page = html(shown)
    assert "2024年度考核" in page and "升星" in page and "降星" in page
    previewed = {code: (D(score), int(stars)) for code, score, stars in ROW.findall(page)}
    assert set(previewed) == {"A", "B", "C", "D"}
    assert previewed["A"] == (D("70.00"), 3)  # 30 + 10 + 15 + 15 + 0
    assert _versions(city) == 1  # a preview writes nothing
    saved = admin.post(url, {**change, "action": "save", "note": "提高党员人数权重"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(url)
    assert "已保存为第 2 版" in html(admin.get(url))
    assert _versions(city) == 2
    from core.tenancy import tenant_context

    with tenant_context(city["tenant"]):
        standard = standard_service.get_standard(city["standard"])
        assert standard.current_version == 2
        assert standard_service.latest_version(standard).note == "提高党员人数权重"
        rerun = h.open_cycle(orgs.get(city["R"]), name="对照考核", standard_ids=[city["standard"]])
        h.run(rerun)
        by_code = {orgs.get(org_id).code: (r.score, r.stars) for org_id, r in h.results(rerun).items()}
        db.session.rollback()
    assert by_code == previewed


def test_without_a_published_cycle_the_preview_says_so(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    shown = admin.post(f"/admin/standards/{city['standard']}", {**_form(), "action": "preview"})
    assert shown.status_code == 200
    assert "还没有已发布的考核周期使用过此标准" in html(shown)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"w0": "-1"}, "w0", "必须大于 0"),
    ({"w1": "abc"}, "w1", "不是有效的数字"),
    ({"p3_per_unit": "many"}, "p3_per_unit", "不是有效的数字"),
])
def test_a_bad_weight_or_parameter_is_422_beside_the_field(city, web_as, tenant, change, field, message):
    _publish(city)
    admin = web_as(city["tenant"], "admin")
    url = f"/admin/standards/{city['standard']}"
    for action in ("preview", "save"):
        answer = admin.post(url, {**_form(), **change, "action": action})
        assert answer.status_code == 422, action
        assert message in _field_errors(html(answer), field)
    assert _versions(city) == 1


def test_points_not_adding_up_to_100_are_refused_above_the_form(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    answer = admin.post(f"/admin/standards/{city['standard']}",
                        {**_form({"ct.members": 25}), "action": "save"})
    assert answer.status_code == 422 and "之和须正好为 100（现为 105）" in html(answer)
    assert _versions(city) == 1


def test_an_indicator_removed_and_one_of_the_citys_own_added(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    std = city["standard"]
    bad = admin.post(f"/admin/standards/indicators/new?standard={std}",
                     {"name": "群众满意度", "slug": "X", "scoring": "manual", "max_points": "10", "op": ">="})
    assert bad.status_code == 422 and "小写字母" in _field_errors(html(bad), "slug")
    made = admin.post(f"/admin/standards/indicators/new?standard={std}",
                      {"name": "群众满意度", "slug": "satisfaction", "scoring": "manual", "max_points": "10", "op": ">="})
    assert made.status_code == 302 and "add=custom.satisfaction" in made.headers["Location"]
    page = html(admin.get(made.headers["Location"]))
    assert "群众满意度" in page and 'value="custom.satisfaction"' in page
    # 群众评议 (20 points) removed, 党员人数达标 20 → 30, 群众满意度 10: 30+30+15+15+10
    data = _form({"ct.members": 30}, k5="custom.satisfaction", w5="10", rm4="y")
    saved = admin.post(f"/admin/standards/{std}", {**data, "action": "save"}, form_page=made.headers["Location"])
    assert saved.status_code == 302, html(saved)
    from core.tenancy import tenant_context

    with tenant_context(city["tenant"]):
        version = standard_service.latest_version(standard_service.get_standard(std))
        assert [i["indicator"] for i in version.items] == [
            "ct.members", "ct.size", "ct.records", "ct.lost", "custom.satisfaction"]
        assert db.session.scalar(select(func.count()).select_from(CustomIndicator)) == 1


def test_lower_roles_get_403_and_another_citys_standard_404(city, web_as, tenant):
    manager = web_as(city["tenant"], "mgr", role="org_manager", org=city["R"])
    for path in ("/admin/standards", f"/admin/standards/{city['standard']}",
                 f"/admin/standards/{city['standard']}/versions", "/admin/stars",
                 "/admin/standards/indicators/new"):
        assert manager.get(path).status_code == 403, path
    secretary = web_as(city["tenant"], "sec", role="branch_secretary", org=city["C1"])
    assert secretary.get("/admin/stars").status_code == 403
    token = manager.csrf("/login")
    refused = manager.client.post(f"/admin/standards/{city['standard']}",
                                  data={**_form({"ct.members": 30, "ct.size": 20}), "action": "save",
                                        "csrf_token": token}, headers={"Host": manager.host})
    assert refused.status_code == 403 and _versions(city) == 1
    admin = web_as(city["tenant"], "admin")
    assert admin.get(f"/admin/standards/{city['beta_standard']}").status_code == 404
    assert admin.get(f"/admin/standards/{city['beta_standard']}/versions").status_code == 404
    assert admin.get("/admin/standards/not-an-id").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    answer = admin.client.post(f"/admin/standards/{city['standard']}",
                               data={**_form({"ct.members": 30, "ct.size": 20}), "action": "save"},
                               headers={"Host": admin.host})
    assert answer.status_code == 400 and _versions(city) == 1
    stars = admin.client.post("/admin/stars", data={"five": "95", "four": "80", "three": "70", "two": "60"},
                              headers={"Host": admin.host})
    assert stars.status_code == 400


# -- star thresholds and caps -----------------------------------------------------------------


def _stars_form(**changes) -> dict:
    """The star settings form as it shows the defaults, with ``changes``."""
    return {"five": "90", "four": "80", "three": "70", "two": "60", "five_star_cap": "",
            "veto_stars": "1", "veto_reasons": "\n".join(DEFAULT_VETO_REASONS),
            "fortress_formula": "score", "vanguard_formula": "points", **changes}


def _settings(city):
    from core.tenancy import tenant_context

    with tenant_context(city["tenant"]):
        return current_settings(), plugin_settings.tenant_overrides(PLUGIN)


def test_the_star_settings_render_and_save_what_changed(city, web_as, tenant):
    admin = web_as(city["tenant"], "admin")
    page = html(admin.get("/admin/stars"))
    assert "五星最低分" in page and 'value="90"' in page and "发生严重违纪违法案件" in page
    saved = admin.post("/admin/stars", _stars_form(five="95", five_star_cap="0.2"))
    assert saved.status_code == 302, html(saved)
    values, overrides = _settings(city)
    assert values["star_thresholds"] == [D("95"), D("80"), D("70"), D("60")]
    assert values["five_star_cap"] == D("0.2")
    assert set(overrides) == {"star_thresholds", "five_star_cap"}  # the rest follows the defaults
    again = html(admin.get("/admin/stars"))
    assert 'value="95"' in again and "本市设置" in again


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"five": "80", "four": "85"}, None, "须从高到低"),
    ({"three": "abc"}, "three", "不是有效的数字"),
    ({"five_star_cap": "2"}, "five_star_cap", "必须在 0 到 1 之间"),
    ({"fortress_formula": "score +"}, "fortress_formula", "不是有效的公式"),
])
def test_bad_star_settings_are_422_beside_the_field_and_write_nothing(city, web_as, tenant, change,
                                                                       field, message):
    admin = web_as(city["tenant"], "admin")
    answer = admin.post("/admin/stars", _stars_form(**change))
    assert answer.status_code == 422
    page = html(answer)
    if field is None:
        assert re.search(r'id="thresholds-error"[^>]*>[^<]*' + message, page)
    else:
        assert message in _field_errors(page, field)
    values, overrides = _settings(city)
    assert overrides == {} and values["star_thresholds"][0] == D("90")
