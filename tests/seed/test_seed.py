"""``dangjian seed``: the synthetic city is complete, valid for the app's own rules, the same
for the same random seed, confined to its tenant, and refused on a non-empty tenant."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.api.errors import ApiError
from core.db import db
from core.dues.models import DuesPayment
from core.life.models import Attendance, Meeting
from core.members.idcard import is_valid
from core.members.models import Member
from core.orgs import attributes
from core.orgs.models import Organization, OrgPost
from core.plugins import service as plugin_service
from core.points.models import PointEntry
from core.seed import service
from core.seed.profiles import PROFILES, Profile
from core.seed.tree import branch_counts
from core.tenancy import tenant_context
from core.tenancy.models import Tenant

TODAY = date(2026, 11, 22)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")


@pytest.fixture
def seeded(app_ctx, tenant, in_tenant):
    with in_tenant(tenant):
        for name in SECTOR_PLUGINS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        written = service.seed("small", today=TODAY)
        db.session.commit()
    return written


def test_the_small_city_has_every_sector_and_a_year_of_work(seeded, tenant, in_tenant):
    profile = PROFILES["small"]
    with in_tenant(tenant):
        assert _count(Organization) == seeded["organizations"] <= profile.organizations
        assert _count(Member) == profile.members == seeded["members"]
        sectors = set(db.session.scalars(select(Organization.sector).distinct()))
        assert {"rural", "community", "organs", "two_new", "soe"} <= sectors
        for table in ("meetings", "meeting_attendance", "dues_payments", "point_entries",
                      "development_people", "development_steps", "org_posts"):
            assert seeded[table] > 0, table
        assert _count(Meeting) == seeded["meetings"] and _count(Attendance) == seeded["meeting_attendance"]
        # every member belongs to a branch of the tree and every path is its parent's + id
        orgs = {o.id: o for o in db.session.scalars(select(Organization))}
        for org in orgs.values():
            parent = orgs.get(org.parent_id)
            assert org.path == (parent.path if parent else "/") + org.id.hex + "/"
        assert not _count(Member, Member.org_id.not_in(list(orgs)))
        # a year of meetings, none in the future
        first, last = db.session.execute(select(func.min(Meeting.held_on), func.max(Meeting.held_on))).one()
        assert last <= TODAY and (TODAY - first).days < 366


def test_what_it_writes_passes_the_apps_own_checks(seeded, tenant, in_tenant):
    with in_tenant(tenant):
        members = db.session.scalars(select(Member).limit(300)).all()
        assert all(is_valid(m.id_number) for m in members)  # decrypted: encrypted at rest
        assert len({m.id_number for m in members}) == len(members)
        with_data = [o for o in db.session.scalars(select(Organization)) if o.attributes]
        assert {o.sector for o in with_data} == {"rural", "community", "organs", "two_new", "soe"}
        for org in with_data:
            assert attributes.validate(org.sector, org.kind, org.attributes) == org.attributes
        secretaries = _count(OrgPost, OrgPost.post == "secretary")
        assert secretaries == seeded["org_posts"]
        paid = db.session.scalars(select(DuesPayment.amount).limit(50)).all()
        assert all(amount > 0 for amount in paid)
        approved = db.session.scalar(select(func.sum(PointEntry.points)).where(PointEntry.status == "approved"))
        assert approved > 0


def test_it_stays_in_its_tenant_and_refuses_a_non_empty_one(seeded, tenant, tenant_b, in_tenant):
    with in_tenant(tenant_b):
        assert _count(Member) == 0 and _count(Organization) == 0
    with in_tenant(tenant):
        with pytest.raises(ApiError) as refused:
            service.seed("small", today=TODAY)
        assert refused.value.status == 409
        db.session.rollback()
        with pytest.raises(ApiError) as unknown:
            service.seed("huge", today=TODAY)
        assert "profile" in unknown.value.errors


def test_without_a_tenant_nothing_is_written(app_ctx):
    with pytest.raises(Exception, match="tenant"):
        service.seed("small", today=TODAY)


def test_the_same_seed_gives_the_same_city(app_ctx, make_tenant):
    shapes = []
    for slug in ("one", "two"):
        tenant = make_tenant(slug)
        with tenant_context(tenant.id):
            service.seed("small", random_seed=7, today=TODAY)
            db.session.commit()
            shapes.append((
                sorted(db.session.execute(select(Organization.code, Organization.name, Organization.kind))),
                sorted(db.session.execute(select(Member.name, Member.birth_date, Member.status))),
                _count(Meeting),
            ))
    assert shapes[0] == shapes[1]


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_shapes_a_tree_of_its_size(name):
    profile = PROFILES[name]
    counts = branch_counts(profile)
    assert sum(counts.values()) > 0.8 * profile.organizations
    assert set(counts) == {"rural", "community", "organs", "two_new", "soe"}


def test_the_command_creates_the_tenant_and_reports(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["seed", "--tenant", "synth", "--profile", "small"])
    assert result.exit_code == 0, result.output
    assert "created tenant 'synth'" in result.output and "members" in result.output
    again = runner.invoke(args=["seed", "--tenant", "synth"])
    assert again.exit_code != 0 and "already has organisations" in again.output
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "synth"))
    with tenant_context(tenant.id):
        assert _count(Member) == PROFILES["small"].members


def test_a_profile_is_plain_data():
    assert PROFILES["city"] == Profile("city", 5_000, 100_000, 10)
