"""The rural warning rules on real records: each fires, persists and clears when the data is
fixed (two sweeps), and looks only at the active villages of the rural sector."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.plugins import settings as plugin_settings
from plugins.rural.models import CollectiveIncome
from tests.sectors.rural import builders as b

TODAY = date(2026, 6, 15)


def _orgs(found: dict) -> set:
    return {org_id for org_id, _ in found}


def test_collective_income_low(villages, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        b.income(org("A"), 2025, "6.30")
        b.income(org("B"), 2025, "3.20")
        b.income(org("O"), 2025, "1.00")  # not a rural organisation: never looked at
        db.session.commit()
        found = sweep("rural.collective_income_low", TODAY)
        # B is short, Z has not recorded 2025 (past the 90 grace days), A is fine
        assert _orgs(found) == {villages["B"], villages["Z"]}
        short = found[(villages["B"], None)]
        assert short["_message"] == ("2025 年村级集体经济经营性收入3.2 万元，未达到 5 万元的目标，"
                                     "请乡镇党委逐村制定集体经济发展措施。")
        assert found[(villages["Z"], None)]["income"] == "未填报"
        # in the grace period a missing record is not yet a warning
        assert _orgs(sweep("rural.collective_income_low", date(2026, 2, 1))) == {villages["B"]}
        # fixed: B's figure corrected, Z records its income
        db.session.scalar(select(CollectiveIncome).where(CollectiveIncome.org_id == villages["B"])
                          ).operating_income_wan = 5
        b.income(org("Z"), 2025, "8.00")
        db.session.commit()
        assert sweep("rural.collective_income_low", TODAY) == {}
        # a stricter city target reopens them
        plugin_settings.set_overrides("rural", {"collective_income_target_wan": 7})
        db.session.commit()
        assert _orgs(sweep("rural.collective_income_low", TODAY)) == {villages["A"], villages["B"]}


def test_no_recruitment(villages, tenant, in_tenant, org, add_member, sweep):
    with in_tenant(tenant):
        add_member(org("A"), joined_on=date(2024, 7, 1))
        add_member(org("B"), joined_on=date(2019, 3, 1))
        b.admit(org("Z"), date(2022, 9, 1))
        db.session.commit()
        found = sweep("rural.no_recruitment", TODAY)
        assert _orgs(found) == {villages["B"], villages["Z"]}  # not the townships, not O
        assert found[(villages["B"], None)]["_message"] == (
            "已 3 年以上未发展党员（最近一次：2019-03-01），属“3年以上未发展党员村”，"
            "请乡镇党委督促落实发展党员计划。")
        # fixed: B admits someone through the development process, Z recruits too
        b.admit(org("B"), date(2026, 5, 1))
        add_member(org("Z"), status="probationary", joined_on=date(2026, 4, 1))
        db.session.commit()
        assert sweep("rural.no_recruitment", TODAY) == {}
        # a young village is not flagged; a dissolved one neither
        young = orgs.create(name="新村党支部", code="N", kind="branch", parent=org("T"),
                            sector="rural", founded_on=date(2025, 1, 1))
        db.session.commit()
        assert young.id not in _orgs(sweep("rural.no_recruitment", TODAY))


def test_village_committee_term(villages, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        b.attributes(org("A"), village_committee_term_started_on="2021-03-20")  # ended
        b.attributes(org("B"), village_committee_term_started_on="2021-08-01")  # ends in 47 days
        b.attributes(org("Z"), village_committee_term_started_on="2024-01-10")
        db.session.commit()
        found = sweep("rural.village_committee_term", TODAY)
        assert _orgs(found) == {villages["A"], villages["B"]}
        assert found[(villages["A"], None)]["_message"] == (
            "村民委员会本届任期自 2021-03-20 起 5 年，2026-03-20 届满：已届满 87 天，应尽快换届。")
        assert found[(villages["B"], None)]["state"] == "还有 47 天届满，请做好换届准备"
        b.attributes(org("A"), village_committee_term_started_on="2026-04-01")  # elected
        db.session.commit()
        assert _orgs(sweep("rural.village_committee_term", TODAY)) == {villages["B"]}


def test_first_secretary_missing(villages, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        for code in ("A", "B", "Z"):
            b.attributes(org(code), key_village=True)
        b.station(org("A"), "周明", date(2024, 6, 1))
        left = b.station(org("B"), "刘强", date(2023, 3, 1), date(2025, 2, 28))
        b.station(org("B"), "赵六", date(2024, 1, 1), role="team_member")
        db.session.commit()
        found = sweep("rural.first_secretary_missing", TODAY)
        assert _orgs(found) == {villages["B"], villages["Z"]}
        assert found[(villages["B"], None)]["_message"] == (
            "重点村目前没有在岗的第一书记：上一任第一书记刘强已于 2025-02-28 离任，请及时选派。")
        assert found[(villages["Z"], None)]["before"] == "尚未选派过第一书记"
        b.station(org("Z"), "孙七", date(2026, 7, 1))  # chosen, not there yet
        db.session.commit()
        assert found != (again := sweep("rural.first_secretary_missing", TODAY))
        assert again[(villages["Z"], None)]["after"] == "，孙七将于 2026-07-01 到任"
        b.station(org("B"), "王五", left.ended_on + timedelta(days=1))
        b.attributes(org("Z"), key_village=False)
        db.session.commit()
        assert sweep("rural.first_secretary_missing", TODAY) == {}


def test_first_secretary_left(villages, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        b.station(org("A"), "陈立", date(2022, 6, 1), date(2026, 3, 31))  # left 76 days ago
        b.station(org("B"), "刘强", date(2020, 3, 1), date(2023, 2, 28))  # long ago: let it be
        b.station(org("Z"), "孙七", date(2023, 3, 1), date(2026, 5, 31))
        b.attributes(org("Z"), key_village=True)  # the other rule speaks for key villages
        db.session.commit()
        found = sweep("rural.first_secretary_left", TODAY)
        assert _orgs(found) == {villages["A"]}
        assert found[(villages["A"], None)]["_message"].startswith(
            "第一书记陈立已于 2026-03-31 离任（76 天前），尚未选派接任人选")
        b.station(org("A"), "周明", date(2026, 6, 1))
        db.session.commit()
        assert sweep("rural.first_secretary_left", TODAY) == {}


def test_mobile_not_contacted(villages, tenant, in_tenant, org, add_member, sweep):
    with in_tenant(tenant):
        quiet = add_member(org("AG"), status="mobile", mobile_since=date(2025, 1, 1),
                           mobile_destination="广东省深圳市", name="李四")
        b.contact(org("A"), quiet, date(2026, 1, 5))
        fresh = add_member(org("B"), status="mobile", mobile_since=date(2026, 5, 1))  # 45 days
        unknown = add_member(org("Z"), status="mobile", name="王二")  # no date, no contact
        regular = add_member(org("Z"), status="mobile", mobile_since=date(2020, 1, 1))
        b.contact(org("Z"), regular, date(2026, 5, 20), initiated_by="member")
        add_member(org("O"), status="mobile")  # not a village
        db.session.commit()
        found = sweep("rural.mobile_not_contacted", TODAY)
        # one warning per member, on the village (A for a member of its 党小组)
        assert set(found) == {(villages["A"], quiet.id), (villages["Z"], unknown.id)}
        assert found[(villages["A"], quiet.id)]["_message"] == (
            "流动党员李四（流向：广东省深圳市）已 161 天未与党组织联系（最近一次：2026-01-05），"
            "应至少每 90 天联系一次。")
        assert "外出时间未登记，且没有联系记录" in found[(villages["Z"], unknown.id)]["_message"]
        assert fresh.id not in {s for _, s in found}
        b.contact(org("A"), quiet, date(2026, 6, 1), channel="wechat")
        b.contact(org("Z"), unknown, date(2026, 6, 10))
        db.session.commit()
        assert sweep("rural.mobile_not_contacted", TODAY) == {}
        # half a year later they are due again, unless they are back home
        assert sweep("rural.mobile_not_contacted", date(2026, 12, 1)) != {}
        for member in (quiet, unknown, regular, fresh):
            member.status = "full"
        db.session.commit()
        assert sweep("rural.mobile_not_contacted", date(2026, 12, 1)) == {}
