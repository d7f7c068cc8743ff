"""Daily work pages (core/web/screens/work/) through the test client, on both databases:
each form saves through its slice's service, bad input is a 4xx with the error beside the
field and nothing written, another branch and another tenant are 404, a form without its
CSRF token is refused, and recording the meeting a warning asks for clears the warning."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import func, inspect, select

from core.db import db
from core.development import service as development
from core.dues.models import DuesBase, DuesPayment
from core.dues.rates import month_start
from core.life.models import Attendance, Meeting
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs import units
from core.plugins import service as plugin_service
from core.tenancy.models import Tenant
from core.warnings import engine
from core.warnings.models import OPEN, RESOLVED, Warning
from tests.members.helpers import make_id_number
from tests.web.conftest import html

_serial = count(1)
TODAY = date.today()


def _member(org, name, status="full", joined_on=date(2010, 1, 1), **fields):
    n = next(_serial)
    member = Member(org_id=org.id, name=name, gender="male", ethnicity="汉族",
                    birth_date=date(1980, 1, 1), id_number=f"WORK-ID-{n}",
                    id_number_index=f"work-index-{n}", joined_on=joined_on,
                    full_on=date(joined_on.year + 1, 1, 1) if status != "probationary" else None,
                    status=status, **fields)
    db.session.add(member)
    db.session.flush()
    return member


@pytest.fixture
def city(tenant, tenant_b, in_tenant):
    """alpha: 市委 → 一支部 (rural: 3 members, a village unit), 二支部; beta: its own branch."""
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", True)
        root = orgs.create(name="甲市委", code="R", kind="committee", founded_on=date(2000, 1, 1))
        one = orgs.create(name="一支部", code="B1", kind="branch", parent=root, sector="rural",
                          founded_on=date(2000, 1, 1))
        two = orgs.create(name="二支部", code="B2", kind="branch", parent=root,
                          founded_on=date(2000, 1, 1))
        db.session.flush()
        people = [_member(one, name) for name in ("张三", "李四", "王五")]
        db.session.add(DuesBase(member_id=people[0].id, effective_from=date(2000, 1, 1), base=4000))
        village = units.create(one, name="一村", unit_type="village")
        other = _member(two, "赵六")
        db.session.commit()
        ids = {"root": root.id, "one": one.id, "two": two.id, "members": [p.id for p in people],
               "other": other.id, "unit": village.id}
    with in_tenant(tenant_b):
        ids["beta"] = orgs.create(name="乙支部", code="B", kind="branch",
                                  founded_on=date(2000, 1, 1)).id
        db.session.commit()
    return ids


@pytest.fixture
def secretary(web_as, tenant, city):
    return web_as(tenant, "sec1", role="branch_secretary", org=city["one"])


def _fresh(tenant) -> Tenant:
    """The tenant row again (the fixture's object is detached once a request has run)."""
    return db.session.get(Tenant, inspect(tenant).identity[0])


def _count(tenant, in_tenant, model, *where) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _error_beside(page: str, field_id: str) -> bool:
    return re.search(rf'id="{re.escape(field_id)}-error"', page) is not None


def test_hub_lists_what_the_secretary_may_write_and_the_org_page_shows_what_is_due(secretary, city):
    hub = secretary.get("/work")
    assert hub.status_code == 200
    page = html(hub)
    assert "一支部" in page and "二支部" not in page and "甲市委" not in page
    work = html(secretary.get(f"/work/{city['one']}"))
    assert "主题党日" in work and "待召开" in work  # nothing held yet: every period is due
    assert "党员 3 名，已缴 0 名" in work


def test_a_member_account_may_not_do_daily_work(web_as, tenant, city):
    member = web_as(tenant, "m1", role="member", org=city["one"])
    assert member.get("/work").status_code == 403
    assert member.get(f"/work/{city['one']}").status_code == 403


def test_other_branch_and_other_tenant_are_404(secretary, city):
    for path in ("", "/meetings", "/meetings/new?kind=theme_day", "/dues", "/development",
                 "/sector"):
        assert secretary.get(f"/work/{city['two']}{path}").status_code == 404, path
        assert secretary.get(f"/work/{city['beta']}{path}").status_code == 404, path


def _meeting_form(members, choice="present", **fields):
    data = {"held_on": TODAY.isoformat(), "topic": "主题党日：学习", "location": "村部"}
    data.update(fields)
    for member_id in members:
        data[f"att-{member_id}"] = choice
    return data


def test_recording_a_meeting_saves_attendance_and_clears_its_warning(secretary, city, tenant, in_tenant):
    with in_tenant(tenant):
        engine.sweep(TODAY, ["life.theme_day_overdue", "life.no_activity"])
        db.session.commit()
    opened = (Warning.org_id == city["one"], Warning.state == OPEN,
              Warning.rule_key.in_(["life.theme_day_overdue", "life.no_activity"]))
    assert _count(tenant, in_tenant, Warning, *opened) == 2
    one, two, three = city["members"]
    form = f"/work/{city['one']}/meetings/new?kind=theme_day"
    data = _meeting_form([one, two])
    data.update({f"att-{three}": "leave", f"reason-{three}": "外出务工"})
    done = secretary.post(form, data)
    assert done.status_code == 302, html(done)
    detail = secretary.get(done.headers["Location"])
    page = html(detail)
    assert "预警已消除" in page and "主题党日未按期开展" in page
    assert "外出务工" in page
    with in_tenant(tenant):
        meeting = db.session.scalar(select(Meeting).where(Meeting.org_id == city["one"]))
        assert (meeting.kind, meeting.present_count, meeting.eligible_count) == ("theme_day", 2, 3)
        reasons = dict(db.session.execute(
            select(Attendance.member_id, Attendance.absence_reason)
            .where(Attendance.meeting_id == meeting.id)).all())
        assert reasons[three] == "外出务工"
    assert _count(tenant, in_tenant, Warning, *opened) == 0
    assert _count(tenant, in_tenant, Warning, Warning.org_id == city["one"],
                  Warning.state == RESOLVED) == 2
    assert "主题党日未按期开展" not in html(secretary.get(f"/work/{city['one']}"))
    # the refresh is scoped: 二支部's warnings wait for their own sweep, untouched
    assert _count(tenant, in_tenant, Warning, Warning.org_id == city["two"], Warning.state == OPEN,
                  Warning.rule_key == "life.theme_day_overdue") == 1


def test_a_bad_meeting_is_422_beside_the_field_and_writes_nothing(secretary, city, tenant, in_tenant):
    form = f"/work/{city['one']}/meetings/new?kind=theme_day"
    future = (TODAY + timedelta(days=3)).isoformat()
    bad = secretary.post(form, _meeting_form(city["members"], held_on=future))
    assert bad.status_code == 422 and _error_beside(html(bad), "held_on")
    empty = secretary.post(form, _meeting_form(city["members"], topic=""))
    assert empty.status_code == 422 and _error_beside(html(empty), "topic")
    leave = secretary.post(form, {**_meeting_form(city["members"]), f"att-{city['members'][0]}": "leave"})
    assert leave.status_code == 422 and 'id="attendance-error"' in html(leave)
    assert _count(tenant, in_tenant, Meeting) == 0


def test_meeting_forms_need_csrf(secretary, city, tenant, in_tenant):
    path = f"/work/{city['one']}/meetings/new?kind=theme_day"
    refused = secretary.client.post(path, data=_meeting_form(city["members"]),
                                    headers={"Host": secretary.host})
    assert refused.status_code == 400
    assert _count(tenant, in_tenant, Meeting) == 0


def test_meeting_list_and_detail_are_scoped(secretary, web_as, tenant, city, in_tenant):
    done = secretary.post(f"/work/{city['one']}/meetings/new?kind=theme_day",
                          _meeting_form(city["members"]))
    listing = html(secretary.get(f"/work/{city['one']}/meetings"))
    assert "主题党日：学习" in listing
    other = web_as(_fresh(tenant), "sec2", role="branch_secretary", org=city["two"])
    assert other.get(done.headers["Location"]).status_code == 404
    with in_tenant(tenant):
        meeting_id = db.session.scalar(select(Meeting.id))
    assert other.get(f"/work/meetings/{meeting_id}").status_code == 404


def test_dues_sheet_and_payments(secretary, city, tenant, in_tenant):
    one, two, three = city["members"]
    sheet = html(secretary.get(f"/work/{city['one']}/dues"))
    assert "张三" in sheet and "4000.00" in sheet and "40.00" in sheet  # the 3,000–5,000 bracket: 1%
    path = f"/work/{city['one']}/dues"
    token = secretary.csrf(path)
    done = secretary.client.post(path, data={"csrf_token": token, "pay": [str(one)],
                                             "channel": "cash", "paid_on": TODAY.isoformat()},
                                 headers={"Host": secretary.host})
    assert done.status_code == 302, html(done)
    with in_tenant(tenant):
        row = db.session.scalar(select(DuesPayment))
        assert (row.member_id, row.month, str(row.amount)) == (one, month_start(TODAY), "40.00")
    # two without a base: refused beside the row; three with it is not written either
    token = secretary.csrf(path)
    bad = secretary.client.post(path, data={"csrf_token": token, "pay": [str(two), str(three)],
                                            "channel": "cash", "paid_on": TODAY.isoformat()},
                                headers={"Host": secretary.host})
    assert bad.status_code == 422 and _error_beside(html(bad), f"pay-{two}")
    assert _count(tenant, in_tenant, DuesPayment) == 1
    unknown = secretary.post(path, {"pay": str(city["other"]), "channel": "cash",
                                    "paid_on": TODAY.isoformat()})
    assert unknown.status_code == 422 and _count(tenant, in_tenant, DuesPayment) == 1
    no_csrf = secretary.client.post(path, data={"pay": str(three), "channel": "cash",
                                                "paid_on": TODAY.isoformat()},
                                    headers={"Host": secretary.host})
    assert no_csrf.status_code == 400 and _count(tenant, in_tenant, DuesPayment) == 1


def _applicant(tenant, in_tenant, org_id, applied_on):
    with in_tenant(tenant):
        person = development.create_person(
            {"org_id": org_id, "name": "孙小明", "ethnicity": "汉族",
             "id_number": make_id_number(date(1995, 5, 6), "male")}, applied_on=applied_on)
        db.session.commit()
        return person.id


def test_development_step_saves_and_a_broken_rule_stands_beside_the_date(secretary, city, tenant, in_tenant):
    person_id = _applicant(tenant, in_tenant, city["one"], TODAY - timedelta(days=200))
    listing = html(secretary.get(f"/work/{city['one']}/development"))
    assert "孙小明" in listing and "党组织派人谈话" in listing
    path = f"/work/development/{person_id}"
    late = secretary.post(path, {"code": "2", "done_on": TODAY.isoformat()})
    assert late.status_code == 422 and _error_beside(html(late), "done_on")
    assert "谈话" in html(late)
    with in_tenant(tenant):
        assert len(development.steps_of(development.get_person(person_id))) == 1
    fresh = _applicant_two(tenant, in_tenant, city["one"])
    done = secretary.post(f"/work/development/{fresh}",
                          {"code": "2", "done_on": TODAY.isoformat(), "evidence": "谈话记录"})
    assert done.status_code == 302, html(done)
    with in_tenant(tenant):
        assert [s.code for s in development.steps_of(development.get_person(fresh))] == [1, 2]


def _applicant_two(tenant, in_tenant, org_id):
    with in_tenant(tenant):
        person = development.create_person(
            {"org_id": org_id, "name": "周小红", "ethnicity": "汉族",
             "id_number": make_id_number(date(1996, 6, 7), "female")},
            applied_on=TODAY - timedelta(days=5))
        db.session.commit()
        return person.id


def test_development_of_another_branch_is_404(web_as, tenant, city, in_tenant):
    person_id = _applicant(tenant, in_tenant, city["one"], TODAY - timedelta(days=5))
    other = web_as(_fresh(tenant), "sec2", role="branch_secretary", org=city["two"])
    assert other.get(f"/work/development/{person_id}").status_code == 404


def test_sector_form_is_generated_from_the_plugin_schema_and_saves(web_as, tenant, city, in_tenant):
    manager = web_as(tenant, "mgr", role="org_manager", org=city["root"])
    path = f"/work/{city['one']}/sector"
    form = html(manager.get(path))
    assert 'for="households"' in form and "户数" in form and "党群服务中心功能" in form
    done = manager.post(path, {"households": "600", "key_village": "true",
                               "service_centre_functions": ["党员活动", "便民服务"],
                               "village_committee_term_started_on": "2024-03-01"})
    assert done.status_code == 302, html(done)
    with in_tenant(tenant):
        attrs = orgs.get(city["one"]).attributes
    assert attrs["households"] == 600 and attrs["key_village"] is True
    assert attrs["service_centre_functions"] == ["党员活动", "便民服务"]
    bad = manager.post(path, {"households": "-5"})
    assert bad.status_code == 422 and _error_beside(html(bad), "households")
    with in_tenant(tenant):
        assert orgs.get(city["one"]).attributes["households"] == 600
    future = manager.post(path, {"village_committee_term_started_on": "2999-01-01"})
    assert future.status_code == 422 and _error_beside(html(future), "village_committee_term_started_on")
    unit_path = f"/work/{city['one']}/sector/units/{city['unit']}"
    assert manager.post(unit_path, {"population": "800"}).status_code == 302
    bad_unit = manager.post(unit_path, {"population": "abc"})
    assert bad_unit.status_code == 422 and _error_beside(html(bad_unit), "population")
    with in_tenant(tenant):
        assert units.get(orgs.get(city["one"]), city["unit"]).attributes == {"population": 800}


def test_a_secretary_keeps_their_own_sector_data_as_the_api_allows(secretary, city, tenant, in_tenant):
    path = f"/work/{city['one']}/sector"
    page = html(secretary.get(path))
    assert "户数" in page and 'name="households"' in page
    assert secretary.post(path, {"households": "120"}).status_code == 302
    with in_tenant(tenant):
        assert orgs.get(city["one"]).attributes == {"households": 120}
    # another branch's: not even seen
    assert secretary.get(f"/work/{city['two']}/sector").status_code == 404
