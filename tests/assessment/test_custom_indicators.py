"""A tenant's own indicators: a threshold on a sector attribute measured set-based (numbers
only; missing or non-numeric is no data), manual ones, validation naming fields, what may
and may not change, and tenant isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.api.errors import ApiError
from core.assessment import custom, registry, standards
from core.assessment.indicators import Measurement, score
from core.db import db
from tests.assessment.conftest import make_branches, prepare


def _errors(call) -> tuple[int, dict]:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.status, caught.value.errors or {}


def _income(op=">=", target="5"):
    return custom.create_custom(slug="income", name="村集体经济收入", scoring="threshold",
                                attribute="collective_income_wan", op=op, target=target,
                                max_points="10", unit="万元", description="集体经济收入达到目标")


def test_threshold_on_an_attribute_is_measured_and_scored(tenant, in_tenant, measure):
    with in_tenant(tenant):
        row = _income()
        branches = make_branches(6)
        values = [12, "5.5", None, "很多", True, {"x": 1}]
        for branch, value in zip(branches, values, strict=True):
            branch.attributes = {} if value is None else {"collective_income_wan": value}
        db.session.commit()
        assert row.key == "custom.income" and row.target == "5" and row.max_points == "10.00"
        indicator = registry.tenant_indicators()["custom.income"]
        assert indicator.scoring == "threshold" and indicator.unit == "万元"
        params = registry.effective_params(indicator, {})
        assert params == {"target": Decimal("5"), "op": ">="}
        found = measure("custom.income", [b.id for b in branches])
        assert [found[b.id].value for b in branches] == [Decimal("12"), Decimal("5.5"), None, None, None, None]
        assert "未填写" in found[branches[2].id].evidence["note"]
        assert "很多" in found[branches[3].id].evidence["note"]
        rich = score(indicator, found[branches[0].id], params, 10)
        assert rich.points == Decimal("10.00")
        assert rich.explanation.startswith("村集体经济收入：12万元；要求 ≥ 5万元，达标")
        just = score(indicator, found[branches[1].id], params, 10)
        assert just.points == Decimal("10.00")
        unknown = score(indicator, found[branches[2].id], params, 10)
        assert unknown.points == 0 and "未填写 collective_income_wan" in unknown.explanation
        assert "无数据" in unknown.explanation
        # a standard may change the target, not the comparison
        stricter = registry.effective_params(indicator, {"target": "20"})
        assert score(indicator, found[branches[0].id], stricter, 10).points == 0


def test_at_most_threshold(tenant, in_tenant, measure):
    with in_tenant(tenant):
        custom.create_custom(slug="debt", name="村级负债", scoring="threshold",
                             attribute="debt_wan", op="<=", target=3, max_points=5)
        low, high, missing = make_branches(3)
        low.attributes, high.attributes, missing.attributes = {"debt_wan": 1}, {"debt_wan": 8}, {}
        db.session.commit()
        indicator = registry.tenant_indicators()["custom.debt"]
        params = registry.effective_params(indicator, {})
        found = measure("custom.debt", [low.id, high.id, missing.id])
        assert score(indicator, found[low.id], params, 5).points == Decimal("5.00")
        assert score(indicator, found[high.id], params, 5).points == 0
        # no figure is not "at most 3"
        assert score(indicator, found[missing.id], params, 5).points == 0
        with pytest.raises(Exception) as refused:
            registry.effective_params(indicator, {"op": ">="})
        assert "op" in str(refused.value)


def test_attribute_is_read_in_one_query_whatever_the_number_of_orgs(
        tenant, in_tenant, measure, count_statements):
    with in_tenant(tenant):
        _income()
        few, many = make_branches(3), make_branches(30)
        for i, branch in enumerate(few + many):
            branch.attributes = {"collective_income_wan": i}
        db.session.commit()
        counts = []
        for group in (few, many):
            indicator, ctx = prepare("custom.income", [b.id for b in group])
            with count_statements() as seen:
                found = indicator.measure(ctx)
            assert len(found) == len(group)
            counts.append(len(seen))
        assert counts[0] == counts[1] == 1


def test_manual_indicator(tenant, in_tenant):
    with in_tenant(tenant):
        row = custom.create_custom(slug="brand", name="党建品牌创建", scoring="manual",
                                   max_points=Decimal("7.5"), kinds=["branch"])
        db.session.commit()
        indicator = registry.tenant_indicators()["custom.brand"]
        assert indicator.scoring == "manual" and indicator.measure is None
        assert indicator.params is None and indicator.max_points == 7.5
        assert indicator.kinds == ("branch",) and row.op == ">=" and row.target is None
        assert score(indicator, Measurement(), {}, 7.5, manual_points=6, manual_reason="有特色").points == 6
        # a branch-only indicator fits a branch standard, not the default kinds
        status, errors = _errors(lambda: standards.create_standard("品牌", [
            {"indicator": "custom.brand", "weight": 10}, {"indicator": "dues.paid_rate", "weight": 90}]))
        assert status == 422 and "items.0.indicator" in errors
        standard = standards.create_standard("品牌", [
            {"indicator": "custom.brand"}, {"indicator": "dues.paid_rate", "weight": "92.5"}],
            kinds=["branch"])
        assert standards.latest_version(standard).items[0]["weight"] == "7.50"


def test_creation_is_validated_naming_fields(tenant, in_tenant):
    with in_tenant(tenant):
        status, errors = _errors(lambda: custom.create_custom(
            slug="Bad Slug", name="", scoring="threshold", attribute="not valid!", op="==",
            target="x", max_points=0, sectors=["atlantis"], kinds=["village"]))
        assert status == 422
        assert {"slug", "name", "attribute", "op", "target", "max_points", "sectors.0",
                "kinds.0"} <= set(errors)
        status, errors = _errors(lambda: custom.create_custom(
            slug="manual_one", name="人工", scoring="manual", attribute="x", target=3, max_points=5))
        assert status == 422 and {"attribute", "target"} <= set(errors)
        status, errors = _errors(lambda: custom.create_custom(
            slug="t1", name="阈值", scoring="threshold", attribute="x", max_points="1.234"))
        assert status == 422 and {"target", "max_points"} <= set(errors)
        status, errors = _errors(lambda: custom.create_custom(
            slug="t2", name="x", scoring="formula", max_points=5))
        assert status == 422 and "scoring" in errors
        assert custom.list_custom() == []
        _income()
        status, errors = _errors(_income)
        assert status == 409 and "slug" in errors


def test_what_may_change_and_what_may_not(tenant, in_tenant):
    with in_tenant(tenant):
        _income()
        manual = custom.create_custom(slug="brand", name="品牌", scoring="manual", max_points=5)
        db.session.commit()
        row = custom.update_custom("custom.income", name="集体经济收入", unit="元", target="8",
                                   max_points=12, description=None)
        assert (row.name, row.unit, row.target, row.max_points) == ("集体经济收入", "元", "8", "12.00")
        indicator = registry.tenant_indicators()["custom.income"]
        assert registry.effective_params(indicator, {})["target"] == Decimal("8")
        for field, value in (("scoring", "manual"), ("attribute", "other"), ("op", "<=")):
            status, errors = _errors(lambda f=field, v=value: custom.update_custom("custom.income", **{f: v}))
            assert status == 422 and field in errors
        status, errors = _errors(lambda: custom.update_custom(manual.key, target=3))
        assert status == 422 and "target" in errors
        status, errors = _errors(lambda: custom.update_custom("custom.income", active="yes"))
        assert status == 422 and "active" in errors
        status, _ = _errors(lambda: custom.update_custom("custom.nothing", name="x"))
        assert status == 404
        custom.update_custom(manual.key, active=False)
        db.session.commit()
        assert [r.key for r in custom.list_custom(active_only=True)] == ["custom.income"]
        assert custom.inactive_keys() == {"custom.brand"}
        # deactivated indicators stay resolvable
        assert "custom.brand" in registry.tenant_indicators()


def test_custom_indicators_belong_to_their_tenant(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        _income()
        db.session.commit()
        assert "custom.income" in registry.tenant_indicators()
    with in_tenant(tenant_b):
        assert "custom.income" not in registry.tenant_indicators()
        assert custom.get_custom("custom.income") is None
        status, _ = _errors(lambda: custom.update_custom("custom.income", name="偷改"))
        assert status == 404
        # the same slug is free in another tenant
        assert _income().key == "custom.income"
        db.session.commit()
