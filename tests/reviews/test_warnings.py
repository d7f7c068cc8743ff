"""``reviews.report_overdue``: a secretary whose report is still a draft more than 30 days
into the reporting stage is warned; submitting it clears the warning."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.db.mixins import utcnow
from core.orgs import service as orgs
from core.reviews import service
from core.reviews.models import ReviewCycle
from core.warnings import engine
from core.warnings.models import Warning
from tests.reviews.conftest import YEAR

KEY = "reviews.report_overdue"


def _open_warnings() -> dict:
    rows = db.session.execute(select(Warning.org_id, Warning.message).where(
        Warning.rule_key == KEY, Warning.state == "open")).all()
    return dict(rows)


def test_a_report_overdue_is_warned_until_submitted(tenant, in_tenant, city):
    with in_tenant(tenant):
        cycle = service.open_cycle(orgs.get(city["R"]), YEAR)
        service.advance(cycle, None)
        db.session.commit()
        engine.sweep(date.today(), [KEY])
        db.session.commit()
        assert _open_warnings() == {}  # just started
        cycle = db.session.scalar(select(ReviewCycle))
        cycle.reporting_at = utcnow() - timedelta(days=31)
        db.session.commit()
        engine.sweep(date.today(), [KEY])
        db.session.commit()
        warned = _open_warnings()
        assert set(warned) == {city[c] for c in ("C1", "C2", "X", "Y", "Z")}
        assert "已开始述职 31 天" in warned[city["X"]]
        [x] = [e for e, o in service.entries_of(cycle) if o.id == city["X"]]
        x.report, x.status = "述职报告", "submitted"
        db.session.commit()
        engine.sweep(date.today(), [KEY])
        db.session.commit()
        assert set(_open_warnings()) == {city[c] for c in ("C1", "C2", "Y", "Z")}
