"""The demo city's villages: added once, 桃源村 strong and 李家村 weak on the rural
indicators and warnings, and rated by the rural standard in the demo's published cycle."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment.models.cycles import OrgResult
from core.db import db
from core.demo import assessment, data
from core.orgs.models import Organization
from plugins.rural.models import CollectiveIncome, MemberDuty, MobileContact, Stationing

MODELS = (CollectiveIncome, Stationing, MemberDuty, MobileContact)


def _counts() -> dict:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_villages(sector_tenant, tenant, in_tenant, measure, sweep):
    sector_tenant("rural")
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        db.session.commit()
        said = dict(data.ensure_sector_data(today))
        db.session.commit()
        assert said["rural"].startswith("2 villages' attributes, 6 yearly incomes, 5 stationings")
        first = _counts()
        assert data.ensure_sector_data(today) == []  # a second run adds nothing
        db.session.commit()
        assert _counts() == first
        names = {o.name: o for o in db.session.scalars(
            select(Organization).where(Organization.sector == "rural"))}
        strong, weak = names["桃源村党支部"].id, names["李家村党支部"].id
        assert names["桃源村党支部"].attributes["key_village"] is True

        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        income = measure("rural.collective_income", [strong, weak], start, end)
        assert float(income[strong].value) >= 5 > float(income[weak].value)
        centre = measure("rural.service_centre", [strong, weak], start, end)
        assert all(centre[strong].items.values()) and not all(centre[weak].items.values())
        secretary = measure("rural.first_secretary", [strong, weak], start, end)
        assert all(secretary[strong].items.values()) and not any(secretary[weak].items.values())
        duties = measure("rural.duty_share", [strong, weak], start, end)
        assert duties[strong].value > duties[weak].value

        for rule in ("rural.collective_income_low", "rural.village_committee_term",
                     "rural.first_secretary_missing"):
            assert {org for org, _ in sweep(rule, today)} == {weak}, rule

        # the demo's star rating rates the villages by the rural standard
        assessment.ensure_assessment(today)
        db.session.commit()
        results = {r.org_id: r for r in db.session.scalars(
            select(OrgResult).where(OrgResult.org_id.in_([strong, weak])))}
        assert results[strong].score > results[weak].score
        assert results[strong].stars >= 3
        keys = {item["key"] for item in results[strong].items}
        assert {"rural.collective_income", "rural.first_secretary", "life.theme_days"} <= keys
