"""The demo city's reviews (``dangjian_demo_data``): last year's published with its grades
and the problem for 李家村's 一般, this year's in the rating stage with last year's promises
carried over; a second run adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.demo import data
from core.orgs import service as orgs
from core.problems.models import Problem
from core.reviews import service
from core.reviews.demo import ensure_demo
from core.reviews.models import ReviewCycle

TODAY = date.today()


def test_the_demo_city_has_its_reviews(tenant, in_tenant):
    with in_tenant(tenant), acting_as(cli_actor()):
        data.ensure_tree()
        data.ensure_members()
        data.ensure_users()
        db.session.commit()
        said = ensure_demo(TODAY)
        db.session.commit()
        assert said == f"{TODAY.year - 1} review published, {TODAY.year} review in rating"
        assert ensure_demo(TODAY) is None  # idempotent

        cycles = {c.year: c for c in db.session.scalars(select(ReviewCycle))}
        last, this = cycles[TODAY.year - 1], cycles[TODAY.year]
        assert (last.state, this.state) == ("published", "rating")
        graded = {org.code: entry for entry, org in service.entries_of(last)}
        assert set(graded) == {"SZ-QS-TY", "SZ-QS-TY-01", "SZ-QS-TY-02", "SZ-QS-XF", "SZ-QS-XF-01",
                               "SZ-QS-XF-01-1"}
        # 李家村: the county's 一般 ×2 (70) and 桃源村's secretary as a peer, 一般 (70) → 70.00 一般
        assert (graded["SZ-QS-TY-02"].score, graded["SZ-QS-TY-02"].grade) == (Decimal("70.00"), "average")
        # 桃源村: higher 100, members (dangyuan) 85 → (30·85 + 40·100) / 70 = 93.57 好
        assert (graded["SZ-QS-TY-01"].score, graded["SZ-QS-TY-01"].grade) == (Decimal("93.57"), "good")
        problem = db.session.get(Problem, (tenant.id, graded["SZ-QS-TY-02"].problem_id))
        assert problem is not None and problem.org_id == orgs.by_code("SZ-QS-TY-02").id
        assert [e.problem_id for e in graded.values() if e.problem_id] == [problem.id]

        current = {org.code: entry for entry, org in service.entries_of(this)}
        items = service.items_of(current["SZ-QS-TY-01"])
        carried = [i.title for i in items if i.carried_from_id is not None]
        assert carried == ["建成村党群服务中心“红色议事厅”", "发展1名35岁以下青年入党积极分子"]
        assert any(i.kind == "assigned" for i in items)
        assert all(e.status == "submitted" for e in current.values())
