"""``dangjian brands lapse``: opens a year's re-reviews (``--open``) and withdraws the titles
whose re-review is past due, in every tenant, as cron would run it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.brands import service
from core.brands.models import ModelSite
from core.db import db
from core.orgs import service as orgs
from tests.brands.conftest import answers


def test_lapse_command_withdraws_past_due_titles(app, tenant, city, in_tenant):
    with in_tenant(tenant):
        org = orgs.get(city["V1"])
        site = service.apply(org, {"level": "model_site", "year": 2024, "answers": answers()})
        service.pass_review(site, org, today=date(2024, 6, 1), check_role=False)
        service.award(site, org, None, 2024, today=date(2024, 6, 20), check_role=False)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["brands", "lapse", "--open", "2025"])
    assert result.exit_code == 0, result.output
    assert "alpha: 1 re-reviews opened, 1 lapsed" in result.output
    with in_tenant(tenant):
        row = db.session.scalar(select(ModelSite))
        assert row.status == "withdrawn" and row.withdrawal_reason == "2025年度复核逾期未完成"
    again = app.test_cli_runner().invoke(args=["brands", "lapse", "--tenant", "alpha"])
    assert again.exit_code == 0 and "alpha: 0 re-reviews opened, 0 lapsed" in again.output
    unknown = app.test_cli_runner().invoke(args=["brands", "lapse", "--tenant", "nope"])
    assert unknown.exit_code != 0
