"""The two_new point rules (the instructor duty collected from the register, idempotently;
the hand-recorded ones declared) and default standards (valid, and copied into a tenant)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment.standards import check_template, copy_template
from core.db import db
from core.points.models import PointEntry
from core.points.registry import tenant_rules
from tests.sectors.two_new.conftest import TODAY, org


def test_instructor_duty_is_collected_once_a_year(area, in_tenant, tenant, instructor, add_member,
                                                  collect_points):
    with in_tenant(tenant):
        zhou = add_member(org("XB", area), name="周建华")
        wang = add_member(org("XB", area), name="王新")
        gone = add_member(org("XB", area), name="赵离")
        instructor(person_name="周建华", member_id=zhou.id, started_on=date(TODAY.year - 1, 3, 1))
        instructor(person_name="王新", member_id=wang.id, role="first_secretary",
                   started_on=date(TODAY.year, 1, 1))
        instructor(person_name="赵离", member_id=gone.id, started_on=date(TODAY.year - 3, 1, 1),
                   ended_on=date(TODAY.year - 1, 6, 30))
        instructor(person_name="无名册")  # not a register member: nobody to credit
        keys = ["two_new.instructor_duty"]
        first = collect_points(date(TODAY.year - 1, 1, 1), TODAY, keys)
        # 周: last year (from 3 March) and this year; 王: this year; 赵: last year (until June)
        assert first["rules"]["two_new.instructor_duty"]["added"] == 4, first
        again = collect_points(date(TODAY.year - 1, 1, 1), TODAY, keys)
        assert again["added"] == 0
        rows = db.session.execute(
            select(PointEntry.member_id, func.count(), func.sum(PointEntry.points))
            .where(PointEntry.rule_key == "two_new.instructor_duty").group_by(PointEntry.member_id)
        ).all()
        by_member = {member_id: (n, float(total)) for member_id, n, total in rows}
        assert by_member == {zhou.id: (2, 20.0), wang.id: (1, 10.0), gone.id: (1, 10.0)}
        refs = set(db.session.scalars(select(PointEntry.source_ref).where(
            PointEntry.rule_key == "two_new.instructor_duty")))
        assert all(ref.startswith("two_new_instructors:") for ref in refs) and len(refs) == 4


def test_point_rules_are_declared(area, in_tenant, tenant):
    with in_tenant(tenant):
        rules = tenant_rules()
        assert rules["two_new.group_service"].collect is None
        assert rules["two_new.group_service"].evidence_required
        assert rules["two_new.show_identity"].yearly_cap == 5


def test_default_standards_are_valid_and_copied(area, in_tenant, tenant):
    with in_tenant(tenant):
        for key in ("two_new.branch_standard", "two_new.committee_standard"):
            from core.assessment import registry

            template = registry.tenant_templates()[key]
            assert check_template(template) == [], key
            copied = copy_template(key)
            db.session.flush()
            assert copied.name == template.name
        sector_share = sum(i.weight for i in registry.tenant_templates()["two_new.branch_standard"].items
                           if i.indicator.startswith("two_new."))
        assert 30 <= sector_share <= 40
