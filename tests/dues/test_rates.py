"""Dues amounts: every bracket boundary, rounding, categories and tenant overrides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.dues import rates, service
from core.members.models import Member
from tests.dues.conftest import new_member

MONTH = date(2024, 3, 1)


def _amount(tree, base=None, fixed=None, reason=None, **flags):
    member = new_member(tree["X"], **flags)
    if base is not None or fixed is not None:
        service.set_base(member, effective_from=date(2024, 1, 1),
                         base=None if base is None else Decimal(base),
                         fixed_amount=None if fixed is None else Decimal(fixed), fixed_reason=reason)
    db.session.flush()
    return service.compute_monthly(member, MONTH)


@pytest.mark.parametrize(("base", "expected"), [
    ("2999.99", "15.00"),  # 0.5%: 14.99995 → 15.00
    ("3000.00", "15.00"),  # 3000 inclusive: still 0.5%
    ("3000.01", "30.00"),  # 1%
    ("4999.99", "50.00"),
    ("5000.00", "50.00"),  # 5000 inclusive: still 1%
    ("5000.01", "75.00"),  # 1.5%
    ("9999.99", "150.00"),
    ("10000.00", "150.00"),  # 10000 inclusive: still 1.5%
    ("10000.01", "200.00"),  # 2%
    ("0.00", "0.00"),
])
def test_in_service_brackets(tree, tenant, in_tenant, base, expected):
    with in_tenant(tenant):
        assert _amount(tree, base) == Decimal(expected)


@pytest.mark.parametrize(("base", "expected"), [
    ("5000.00", "25.00"),  # ≤ 5000 inclusive: 0.5%
    ("5000.01", "50.00"),  # 1%
])
def test_retiree_brackets(tree, tenant, in_tenant, base, expected):
    with in_tenant(tenant):
        assert _amount(tree, base, is_retired=True) == Decimal(expected)


def test_rounding_is_half_up_to_the_fen(tree, tenant, in_tenant):
    with in_tenant(tenant):
        assert _amount(tree, "1233.00") == Decimal("6.17")  # 6.165: half-even would give 6.16
        assert _amount(tree, "1234.50") == Decimal("6.17")  # 6.1725
        assert _amount(tree, "4321.50") == Decimal("43.22")  # 43.215


def test_fixed_amounts_for_farmers_students_unemployed(tree, tenant, in_tenant):
    with in_tenant(tenant):
        assert _amount(tree, is_farmer=True) == Decimal("0.20")
        assert _amount(tree, is_student=True) == Decimal("0.20")
        assert _amount(tree, is_unemployed=True) == Decimal("0.20")
        # a base is ignored for them, and retirement comes first
        assert _amount(tree, "8000", is_farmer=True) == Decimal("0.20")
        assert _amount(tree, "8000", is_retired=True, is_farmer=True) == Decimal("80.00")
        # a fixed amount on the base (with its reason) overrides every category
        assert _amount(tree, fixed="1.5", reason="困难党员，支部研究减交", is_retired=True) == Decimal("1.50")


def test_missing_base_and_fixed_without_reason_are_refused(tree, tenant, in_tenant):
    with in_tenant(tenant):
        with pytest.raises(ApiError) as missing:
            _amount(tree)
        assert missing.value.status == 422 and "base" in missing.value.errors
        with pytest.raises(ApiError) as no_reason:
            _amount(tree, fixed="3")
        assert "fixed_reason" in no_reason.value.errors


def test_base_in_force_is_the_latest_before_the_month(tree, tenant, in_tenant):
    with in_tenant(tenant):
        member = new_member(tree["X"])
        service.set_base(member, effective_from=date(2024, 1, 15), base=Decimal("2000"))
        service.set_base(member, effective_from=date(2024, 4, 1), base=Decimal("6000"))
        db.session.flush()
        assert service.compute_monthly(member, date(2024, 3, 1)) == Decimal("10.00")
        assert service.compute_monthly(member, date(2024, 4, 1)) == Decimal("90.00")
        with pytest.raises(ApiError):
            service.compute_monthly(member, date(2023, 12, 1))


def test_tenant_override_changes_the_result_and_not_another_tenant(tree, tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        rates.set_overrides({
            "in_service": [{"up_to": "4000", "rate": "0.5"}, {"up_to": None, "rate": "1"}],
            "farmer_amount": "0.5",
        })
        db.session.commit()
        assert _amount(tree, "3500") == Decimal("17.50")  # 0.5% under the tenant's 4000 bound
        assert _amount(tree, is_farmer=True) == Decimal("0.50")
        assert _amount(tree, "5000", is_retired=True) == Decimal("25.00")  # untouched default
        db.session.commit()
    with in_tenant(tenant_b):
        assert rates.effective_rates()["farmer_amount"] == Decimal("0.20")
    with in_tenant(tenant):
        rates.set_overrides({})
        db.session.commit()
        member = db.session.scalars(select(Member).where(Member.is_farmer.is_(True))).first()
        assert service.compute_monthly(member, MONTH) == Decimal("0.20")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"in_service": [{"up_to": "5000", "rate": "1"}, {"up_to": "3000", "rate": "1"},
                     {"up_to": None, "rate": "2"}]}, "in_service"),  # descending bounds
    ({"in_service": [{"up_to": "3000", "rate": "1"}]}, "in_service"),  # no open-ended bracket
    ({"retired": [{"up_to": None, "rate": "101"}]}, "retired"),  # rate over 100%
    ({"retired": [{"up_to": None, "rate": "-1"}]}, "retired"),
    ({"retired": []}, "retired"),
    ({"farmer_amount": "2"}, "farmer_amount"),  # outside the national 0.2–1 yuan
    ({"student_amount": "abc"}, "student_amount"),
    ({"no_such_key": 1}, "no_such_key"),
])
def test_invalid_overrides_are_refused_naming_the_field(tenant, in_tenant, overrides, field):
    with in_tenant(tenant):
        with pytest.raises(ApiError) as refused:
            rates.set_overrides(overrides)
        assert refused.value.status == 422
        assert field in refused.value.errors
