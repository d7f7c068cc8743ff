"""The idle pairing warning: raised on the initiating side of an active pairing with no joint
activity for ``days`` days (not on the village, not for a young or dissolved pairing),
resolved by the sweep once an activity is recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db
from core.pairings import service
from core.pairings.warnings import rules
from core.tenancy import current_tenant_id
from core.warnings import engine
from core.warnings.models import Warning
from core.warnings.rules import RuleContext
from tests.pairings.conftest import build_tree, days_ago

RULE = rules()[0]


def _findings(**params) -> dict:
    ctx = RuleContext(current_tenant_id(), date.today(), RULE.params().load(params))
    return {f.org_id: f.figures for f in RULE.check(ctx)}


def test_rule_is_well_formed():
    assert RULE.key == "pairings.idle"
    assert RULE.message.format(count=2, period_days=90, partners="甲村、乙村", last="无记录")
    assert RULE.params().load({})["days"] == 90


def test_idle_on_the_initiating_side_only(tenant, in_tenant):
    with in_tenant(tenant):
        made = build_tree()
        old = service.create(made["JG1"], made["V1"], {"started_on": days_ago(200)})
        service.add_activity(old, {"held_on": days_ago(120), "kind": "visit", "topic": "走访"})
        service.create(made["JG1"], made["V2"], {"started_on": days_ago(150)})  # never active
        service.create(made["GZ1"], made["V3"], {"started_on": days_ago(30)})  # young: not yet
        gone = service.create(made["GZ1"], made["SQ"], {"started_on": days_ago(300)})
        service.dissolve(gone, days_ago(1), "调整")  # dissolved: not idle
        lively = service.create(made["JG"], made["SQ1"], {"started_on": days_ago(300)})
        service.add_activity(lively, {"held_on": days_ago(10), "kind": "service", "topic": "服务"})
        db.session.commit()

        found = _findings()
        assert set(found) == {made["JG1"].id}  # never the villages
        assert found[made["JG1"].id]["count"] == 2
        assert found[made["JG1"].id]["partners"] == "李家村党支部、桃源村党支部"
        assert found[made["JG1"].id]["last"] == days_ago(120).isoformat()
        # the tenant's threshold: 20 days makes the young one idle too, 130 only the never-active one
        assert set(_findings(days=20)) == {made["JG1"].id, made["GZ1"].id}
        assert _findings(days=130)[made["JG1"].id]["count"] == 1


def test_sweep_raises_and_resolves(tenant, in_tenant):
    with in_tenant(tenant):
        made = build_tree()
        pairing = service.create(made["JG1"], made["V1"], {"started_on": days_ago(200)})
        db.session.commit()
        engine.sweep(rule_keys=["pairings.idle"])
        db.session.commit()
        open_ = db.session.scalars(select(Warning).where(Warning.rule_key == "pairings.idle",
                                                         Warning.state == "open")).all()
        assert [w.org_id for w in open_] == [made["JG1"].id]
        assert "桃源村党支部" in open_[0].message
        service.add_activity(pairing, {"held_on": days_ago(1), "kind": "joint_study", "topic": "联学"})
        db.session.commit()
        engine.sweep(rule_keys=["pairings.idle"])
        db.session.commit()
        assert db.session.scalar(select(Warning.state).where(Warning.id == open_[0].id)) == "resolved"
