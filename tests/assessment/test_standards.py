"""Standards: copying the default template, validation naming each field (nothing written),
versioning (an update writes version 2 and leaves version 1 as it was), copies, the
indicators of a disabled plugin resolving to ``None``, and a fixed query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from core.api.errors import ApiError
from core.assessment import custom, standards
from core.assessment.indicators import Indicator, Measurement, StandardItem, StandardTemplate
from core.assessment.models.standards import Standard, StandardVersion
from core.assessment.templates import BRANCH_STANDARD, WEIGHTS, templates
from core.db import db
from core.plugins import service as plugin_service


def _errors(call) -> tuple[int, dict]:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.status, caught.value.errors or {}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class FlagParams(Schema):
    target = fields.Int(load_default=1)


def _flag_measure(ctx):
    return {}


FLAG = Indicator(key="testind.flag", name="测试插件指标", scoring="threshold", max_points=10,
                 measure=_flag_measure, params=FlagParams)
RURAL_ONLY = Indicator(key="testind.rural", name="农村专属", scoring="threshold", max_points=10,
                       measure=_flag_measure, params=FlagParams, sectors=("rural",))

LIFE_ITEMS = [
    {"indicator": "life.general_meetings", "weight": 30},
    {"indicator": "life.committee_meetings", "weight": 30, "params": {"target": 10}},
    {"indicator": "dues.paid_rate", "weight": 40},
]


def test_core_template_is_valid_and_adds_up_to_100(app_ctx):
    [template] = templates()
    assert template.key == BRANCH_STANDARD and template.sector is None
    assert sum(w for _, w in WEIGHTS) == 100
    assert standards.check_template(template) == []


def test_every_installed_template_is_valid(app_ctx):
    """Each plugin's default standards (sector plugins' too) over indicators that exist,
    fit its sector and kinds, and weigh exactly 100."""
    from core.assessment.registry import all_templates

    found = all_templates()
    assert BRANCH_STANDARD in found
    for key, registered in found.items():
        assert standards.check_template(registered.item) == [], key


def test_check_template_reports_problems(app_ctx):
    bad = StandardTemplate(key="x.bad", name="坏模板", items=(
        StandardItem("life.general_meetings", 50, {"target": "many"}),
        StandardItem("no.such", 10),
        StandardItem("life.theme_days", 20),
    ), kinds=("committee",))
    problems = standards.check_template(bad)
    assert any("no.such" in p for p in problems)
    assert any("params" in p for p in problems)
    assert any("kinds" in p for p in problems)
    assert any("not 100" in p for p in problems)


def test_copy_template_writes_version_1(tenant, in_tenant):
    with in_tenant(tenant):
        standard = standards.copy_template(BRANCH_STANDARD)
        db.session.commit()
        assert standard.name == "党支部标准化规范化建设（通用）"
        assert standard.based_on == BRANCH_STANDARD and standard.current_version == 1
        assert standard.kinds == ["branch", "joint_branch", "general_branch"]
        version = standards.latest_version(standard)
        assert version.number == 1 and version.sector is None
        assert [i["indicator"] for i in version.items] == [k for k, _ in WEIGHTS]
        assert sum(Decimal(i["weight"]) for i in version.items) == 100
        assert all(isinstance(i["weight"], str) for i in version.items)
        # the full effective parameters are frozen into the version
        committee = next(i for i in version.items if i["indicator"] == "life.committee_meetings")
        assert committee["params"] == {"target": 12, "committee_min_size": 3}
        resolved = standards.resolve_items(version)
        assert len(resolved) == len(WEIGHTS)
        assert all(r.indicator is not None for r in resolved)
        assert resolved[0].weight == Decimal("8.00") and resolved[0].params == {"target": 4}
        # copying again under the same name is refused; under another name it works
        status, errors = _errors(lambda: standards.copy_template(BRANCH_STANDARD))
        assert status == 409 and "name" in errors
        second = standards.copy_template(BRANCH_STANDARD, name="2025年版")
        assert second.name == "2025年版"
        status, errors = _errors(lambda: standards.copy_template("nobody.template"))
        assert status == 422 and "template" in errors


def test_validation_names_every_bad_field_and_writes_nothing(tenant, in_tenant):
    with in_tenant(tenant):
        items = [
            {"indicator": "no.such_indicator", "weight": 10},
            {"indicator": "life.general_meetings", "weight": 0},
            {"indicator": "life.theme_days", "weight": 20, "params": {"target": "lots", "extra": 1}},
            {"indicator": "life.general_meetings", "weight": 10},
            {"indicator": "dues.paid_rate", "weight": "1.234"},
            {"indicator": "life.party_lectures", "params": [1]},
            "not an item",
        ]
        status, errors = _errors(lambda: standards.create_standard(
            "坏标准", items, sector="no_sector", kinds=["branch", "village"]))
        assert status == 422
        assert {"items.0.indicator", "items.1.weight", "items.2.params.target",
                "items.2.params.extra", "items.3.indicator", "items.4.weight", "items.5.params",
                "items.6", "sector", "kinds"} <= set(errors)
        assert _count(Standard) == 0 and _count(StandardVersion) == 0


def test_weights_must_add_up_to_exactly_100(tenant, in_tenant):
    with in_tenant(tenant):
        short = [{"indicator": "life.general_meetings", "weight": "49.99"},
                 {"indicator": "dues.paid_rate", "weight": 50}]
        status, errors = _errors(lambda: standards.create_standard("不足", short))
        assert status == 422 and list(errors) == ["items"] and "99.99" in errors["items"][0]
        exact = [{"indicator": "life.general_meetings", "weight": "50.01"},
                 {"indicator": "dues.paid_rate", "weight": Decimal("49.99")}]
        standard = standards.create_standard("恰好", exact)
        assert [i["weight"] for i in standards.latest_version(standard).items] == ["50.01", "49.99"]
        status, errors = _errors(lambda: standards.create_standard("空", []))
        assert status == 422 and "items" in errors


def test_weight_defaults_to_the_indicators_max_points(tenant, in_tenant):
    with in_tenant(tenant):
        # orgs.setup is worth 15 by default; 85 more make 100
        standard = standards.create_standard("默认权重", [
            {"indicator": "orgs.setup"}, {"indicator": "dues.paid_rate", "weight": 85}])
        assert standards.latest_version(standard).items[0]["weight"] == "15.00"


def test_indicator_must_apply_to_the_standards_sector_and_kinds(tenant, in_tenant, indicator_plugin):
    indicator_plugin([RURAL_ONLY], tenants=[tenant])
    with in_tenant(tenant):
        # life indicators rate branch-level organisations only
        status, errors = _errors(lambda: standards.create_standard(
            "党委标准", LIFE_ITEMS, kinds=["committee"]))
        assert status == 422 and {"items.0.indicator", "items.1.indicator"} <= set(errors)
        assert "items.2.indicator" not in errors  # dues applies to every kind
        # a rural-only indicator cannot be in a standard for every sector
        items = [{"indicator": "testind.rural", "weight": 60}, {"indicator": "dues.paid_rate", "weight": 40}]
        status, errors = _errors(lambda: standards.create_standard("任意领域", items))
        assert status == 422 and "items.0.indicator" in errors
        # … but can in a rural standard, once the tenant has the rural sector
        status, errors = _errors(lambda: standards.create_standard("农村", items, sector="rural"))
        assert status == 422 and "sector" in errors
        plugin_service.set_enabled("rural", True)
        db.session.commit()
        standard = standards.create_standard("农村", items, sector="rural")
        assert standard.sector == "rural"


def test_name_is_unique_per_tenant(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        standards.create_standard("通用标准", LIFE_ITEMS)
        db.session.commit()
        status, errors = _errors(lambda: standards.create_standard("通用标准", LIFE_ITEMS))
        assert status == 409 and "name" in errors
        status, errors = _errors(lambda: standards.create_standard("  ", LIFE_ITEMS))
        assert status == 422 and "name" in errors
    with in_tenant(tenant_b):
        assert standards.create_standard("通用标准", LIFE_ITEMS).name == "通用标准"
        db.session.commit()


def test_update_writes_a_new_version_and_keeps_the_old_one(tenant, in_tenant):
    with in_tenant(tenant):
        standard = standards.create_standard("年度标准", LIFE_ITEMS, note="first")
        db.session.commit()
        first_id = standards.latest_version(standard).id
        new_items = [
            {"indicator": "life.general_meetings", "weight": 20, "params": {"target": 2}},
            {"indicator": "life.committee_meetings", "weight": 30},
            {"indicator": "dues.paid_rate", "weight": 50},
        ]
        standards.update_standard(standard.id, items=new_items, name="年度标准（修订）",
                                  note="weights changed")
        db.session.commit()
        assert standard.current_version == 2 and standard.name == "年度标准（修订）"
        second = standards.latest_version(standard)
        assert second.number == 2 and second.note == "weights changed"
        assert second.items[0] == {"indicator": "life.general_meetings", "weight": "20.00",
                                   "params": {"target": 2}}
        db.session.expire_all()
        first = standards.get_version(first_id)
        assert first.number == 1 and first.name == "年度标准" and first.note == "first"
        assert [i["weight"] for i in first.items] == ["30.00", "30.00", "40.00"]
        assert first.items[1]["params"]["target"] == 10
        assert standards.resolve_items(first)[1].params["target"] == 10
        # the same content again, or only the description: no new version
        standards.update_standard(standard.id, items=new_items, description="说明")
        standards.update_standard(standard.id, active=False)
        db.session.commit()
        assert standard.current_version == 2 and standard.description == "说明"
        assert standard.active is False
        assert [s.name for s in standards.list_standards(active_only=True)] == []
        assert [v.number for v in standards.versions(standard)] == [1, 2]
        # a change of kinds or sector is content too
        standards.update_standard(standard.id, kinds=["branch"])
        db.session.commit()
        assert standard.current_version == 3 and standards.latest_version(standard).kinds == ["branch"]


def test_update_is_validated_and_writes_nothing_when_refused(tenant, in_tenant):
    with in_tenant(tenant):
        standard = standards.create_standard("甲", LIFE_ITEMS)
        other = standards.create_standard("乙", LIFE_ITEMS)
        db.session.commit()
        status, errors = _errors(lambda: standards.update_standard(
            standard.id, items=[{"indicator": "dues.paid_rate", "weight": 99}]))
        assert status == 422 and "items" in errors
        status, errors = _errors(lambda: standards.update_standard(standard.id, name="乙"))
        assert status == 409 and "name" in errors
        status, errors = _errors(lambda: standards.update_standard(standard.id, kinds=[]))
        assert status == 422 and "kinds" in errors
        db.session.rollback()
        assert standard.current_version == 1 and _count(StandardVersion) == 2
        assert other.name == "乙"
        status, _ = _errors(lambda: standards.update_standard("not-an-id", name="丙"))
        assert status == 404


def test_copy_standard_takes_the_current_version(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        source = standards.create_standard("原标准", LIFE_ITEMS, description="说明")
        standards.update_standard(source.id, items=[
            {"indicator": "life.general_meetings", "weight": 50},
            {"indicator": "dues.paid_rate", "weight": 50, "params": {"target": 95}}])
        copy = standards.copy_standard(source.id, "复制的标准")
        db.session.commit()
        assert copy.based_on == str(source.id) and copy.current_version == 1
        assert copy.description == "说明"
        items = standards.latest_version(copy).items
        assert [(i["indicator"], i["weight"]) for i in items] == [
            ("life.general_meetings", "50.00"), ("dues.paid_rate", "50.00")]
        assert items[1]["params"] == {"target": 95.0}
        source_id = source.id
    with in_tenant(tenant_b):
        status, _ = _errors(lambda: standards.copy_standard(source_id, "偷"))
        assert status == 404
        assert standards.get_standard(source_id) is None


def test_disabled_plugins_indicator_resolves_to_none(tenant, in_tenant, indicator_plugin):
    indicator_plugin([FLAG], tenants=[tenant])
    with in_tenant(tenant):
        standard = standards.create_standard("含插件指标", [
            {"indicator": "testind.flag", "weight": 25, "params": {"target": 3}},
            {"indicator": "dues.paid_rate", "weight": 75}])
        db.session.commit()
        version = standards.latest_version(standard)
        assert standards.resolve_items(version)[0].indicator is FLAG
        assert standards.resolve_items(version)[0].params == {"target": 3}
        plugin_service.set_enabled("test_indicators", False)
        db.session.commit()
        flag, dues = standards.resolve_items(version)
        assert flag.key == "testind.flag" and flag.indicator is None and flag.params == {}
        assert flag.weight == Decimal("25.00")
        assert dues.indicator is not None
        described = standards.describe_items(version)
        assert described[0]["available"] is False and described[0]["name"] is None
        # a new version cannot keep an indicator the tenant no longer has
        status, errors = _errors(lambda: standards.update_standard(standard.id, name="改名"))
        assert status == 422 and "items.0.indicator" in errors


def test_stored_params_a_plugin_no_longer_accepts_fall_back_to_defaults(tenant, in_tenant):
    with in_tenant(tenant):
        standard = standards.create_standard("旧参数", LIFE_ITEMS)
        db.session.commit()
        version = standards.latest_version(standard)
        items = [dict(i) for i in version.items]
        items[1] = {**items[1], "params": {"target": "bad", "gone": 1, "committee_min_size": 4}}
        version.items = items
        db.session.commit()
        resolved = standards.resolve_items(version)[1]
        assert resolved.params == {"target": 12, "committee_min_size": 4}


def test_resolve_items_costs_a_fixed_number_of_queries(tenant, in_tenant, count_statements):
    with in_tenant(tenant):
        small = standards.create_standard("小", [{"indicator": "dues.paid_rate", "weight": 100}])
        large = standards.copy_template(BRANCH_STANDARD)
        db.session.commit()
        counts = []
        for standard in (small, large):
            version = standards.latest_version(standard)
            with count_statements() as seen:
                standards.resolve_items(version)
            counts.append(len(seen))
        assert counts[0] == counts[1] <= 2


def test_applies_by_sector_and_kind(tenant, in_tenant):
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", True)
        db.session.commit()
        any_sector = standards.latest_version(standards.create_standard("任意", LIFE_ITEMS))
        rural = standards.latest_version(standards.create_standard(
            "农村支部", LIFE_ITEMS, sector="rural", kinds=["branch"]))
        assert standards.applies(any_sector, None, "branch")
        assert standards.applies(any_sector, "rural", "general_branch")
        assert not standards.applies(any_sector, "rural", "committee")
        assert standards.applies(rural, "rural", "branch")
        assert not standards.applies(rural, "rural", "joint_branch")
        assert not standards.applies(rural, None, "branch")
        assert not standards.applies(rural, "community", "branch")


def test_a_deactivated_custom_indicator_cannot_be_added_but_stays(tenant, in_tenant):
    with in_tenant(tenant):
        custom.create_custom(slug="brand", name="党建品牌", scoring="manual", max_points=10)
        custom.create_custom(slug="old", name="旧指标", scoring="manual", max_points=10)
        standard = standards.create_standard("含自定义", [
            {"indicator": "custom.brand", "weight": 10}, {"indicator": "dues.paid_rate", "weight": 90}])
        custom.update_custom("custom.brand", active=False)
        custom.update_custom("custom.old", active=False)
        db.session.commit()
        # kept when it was already there
        standards.update_standard(standard.id, name="含自定义（改）")
        version = standards.latest_version(standard)
        assert version.number == 2
        assert standards.resolve_items(version)[0].indicator.name == "党建品牌"
        # not added
        status, errors = _errors(lambda: standards.update_standard(standard.id, items=[
            {"indicator": "custom.brand", "weight": 10}, {"indicator": "custom.old", "weight": 10},
            {"indicator": "dues.paid_rate", "weight": 80}]))
        assert status == 422 and list(errors) == ["items.1.indicator"]
        status, errors = _errors(lambda: standards.copy_standard(standard.id, "复制"))
        assert status == 422 and "items.0.indicator" in errors


def test_measuring_through_a_resolved_item(tenant, in_tenant, measure):
    """What the cycles code does with a ResolvedItem: measure with its params, score with
    its weight."""
    from core.assessment.indicators import score

    with in_tenant(tenant):
        from tests.assessment.conftest import make_branches

        [branch] = make_branches(1)
        standard = standards.create_standard("用于测量", LIFE_ITEMS)
        db.session.commit()
        item = standards.resolve_items(standards.latest_version(standard))[0]
        found = measure(item.key, [branch.id], params=item.params)
        result = score(item.indicator, found.get(branch.id, Measurement()), item.params, item.weight)
        assert result.weight == Decimal("30.00") and result.points == 0
        assert "支部党员大会 0 次" in result.explanation
