"""The demo city's pairings: made through the services after the tree, members and sector
data, a joint 主题党日 credited to 桃源村, one idle pairing warned on its initiating side; a
second run adds nothing, and the demo's year of meetings is still made."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.db import db
from core.life.models import Meeting, MeetingCredit
from core.orgs import service as orgs
from core.pairings import demo
from core.pairings.models import Pairing, PairingActivity, PairingTask
from core.pairings.warnings import rules
from core.tenancy import tenant_context
from core.warnings.rules import RuleContext

PLUGINS = ("rural", "community", "organs", "two_new", "soe")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_pairings(app_ctx):
    from core.demo import assessment, data
    from core.tenancy import service
    from core.tenancy.files import TenantSpec

    tenant, _ = service.apply(TenantSpec(slug="pairdemo", name="结对演示", hosts=["pairdemo.test"],
                                         plugins=list(PLUGINS)))
    db.session.commit()
    today = date.today()
    with tenant_context(tenant.id):
        data.ensure_tree()
        data.ensure_members()
        db.session.commit()
        assert "3 pairings" in demo.ensure_demo(today)  # what the dangjian_demo_data hook runs
        db.session.commit()
        assessment.ensure_meetings(today)  # made already: nothing more
        db.session.commit()
        assert _count(Pairing) == 3 and _count(PairingTask) == 5 and _count(PairingActivity) == 4
        credit = db.session.scalar(select(MeetingCredit))
        assert credit.org_id == orgs.by_code("SZ-QS-TY-01").id
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == credit.meeting_id))
        assert meeting.org_id == orgs.by_code("SZ-JG-CZ").id
        if today.month > 2:  # the demo's year of meetings was still made
            assert _count(Meeting) > 20
        rule = rules()[0]
        found = rule.check(RuleContext(tenant.id, today, rule.params().load({})))
        assert [f.org_id for f in found] == [orgs.by_code("SZ-LX-XG").id]
        assert demo.ensure_demo(today) is None
        assert _count(Pairing) == 3 and _count(MeetingCredit) == 1
