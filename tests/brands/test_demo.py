"""The brands demo data in the demo city: brands with a sub-brand and cases, an application
in every state (a withdrawn title kept), each visible through the API; a second run adds
nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.brands import demo
from core.brands.models import STATUSES, Brand, BrandCase, ModelSite, SiteReview
from core.db import db
from core.demo import data


def test_demo_data_covers_every_state_and_is_idempotent(tenant, in_tenant):
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        said = demo.ensure(today)
        db.session.commit()
        assert said == "5 brands, 5 model-site applications"
        assert demo.ensure(today) is None
        assert db.session.scalar(select(func.count()).select_from(Brand)) == 5
        assert db.session.scalar(select(func.count()).select_from(BrandCase)) == 4
        sub = db.session.scalar(select(Brand).where(Brand.parent_id.is_not(None)))
        parent = db.session.get(Brand, (sub.tenant_id, sub.parent_id))
        assert (sub.name, parent.name) == ("财政为民·红色账本", "红色引擎·机关先锋")
        states = sorted(db.session.scalars(select(ModelSite.status)))
        assert set(states) == set(STATUSES) and len(states) == 5
        withdrawn = db.session.scalar(select(ModelSite).where(ModelSite.status == "withdrawn"))
        assert withdrawn.withdrawal_reason.startswith(f"{today.year - 1}年度复核未通过")
        due = db.session.scalar(select(SiteReview).where(SiteReview.status == "due"))
        assert due.year == today.year and due.due_on == date(today.year, 12, 31)
