"""No lost update: two people editing the same record cannot silently overwrite each other.

Every PATCH and PUT route of the OpenAPI document has a case below (a new route without one
fails :func:`test_every_patch_and_put_route_has_a_case`). For each:

* **stale version** — two users read the record at the same ``version``; the first writes
  with it (200), the second writes with it too and gets 409 naming ``version`` (the
  standard names ``edit_version``: its ``version`` is its content version); the first one's
  change is what the record holds;
* **overtaken inside a request** — the first request reads the record, then waits before its
  write (a ``before_flush`` gate) while the second changes the record and commits; the
  first one's UPDATE carries the version it read, changes no row and answers 409, without
  any version sent where the route makes it optional. The second one's change survives.

Then races between real threads, each request on its own database connection: concurrent
read-modify-write increments through the API (none lost), the ORM's flush-time check under
a real race, and dues payments — the same month paid by concurrent requests is recorded once
(the others 409 naming ``month``), different months paid at once are all recorded.

Both backends; the city is the demo city (every sector plugin's records), built once per
module and backend.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.db import db
from core.tenancy import tenant_context
from tests.support.auth import DEFAULT_PASSWORD

PLUGINS = ("rural", "community", "organs", "two_new", "soe")
HOME, NEIGHBOUR = "SZ-QS-TY-01", "SZ-QS-TY-02"  # demo codes: 桃源村, 李家村
TODAY = date.today()
MONTH = TODAY.replace(day=1)
WAIT = 30  # seconds a thread waits for another before the test fails


# -- the city ------------------------------------------------------------------------------------


@dataclass
class City:
    slug: str = "lostupdate"
    tenant_id: int = 0
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}", "X-Tenant": self.slug}


USERS = ("alice", "bob", "carol", "dave")  # tenant administrators; the racing clients


def _first(model, *conditions) -> str:
    row = db.session.scalar(select(model.id).where(*conditions).order_by(model.id).limit(1))
    assert row is not None, f"the demo made no {model.__name__}"
    return str(row)


def _brand_ids() -> dict[str, str]:
    """The demo's brand library records: a brand with a case, an application awaiting review."""
    from core.brands.models import APPLIED, Brand, BrandCase, ModelSite

    case = db.session.scalars(select(BrandCase).order_by(BrandCase.id)).first()
    return {"library_brand": _first(Brand), "brand_case": str(case.id), "case_brand": str(case.brand_id),
            "applied_site": _first(ModelSite, ModelSite.status == APPLIED)}


def _build_records(city: City) -> None:
    from core.assessment import cycles
    from core.assessment.evaluate import run as run_cycle
    from core.assessment.models.cycles import OrgResult
    from core.auth import service as auth
    from core.auth.models import User
    from core.demo import assessment, data
    from core.life.models import Meeting
    from core.members.models import Member
    from core.orgs import service as orgs
    from core.problems.models import Problem
    from core.tenancy import service
    from core.tenancy.files import TenantSpec
    from plugins.community.models import Grid, PropertyCompany, Registration
    from plugins.organs.models import Brand, BrandMilestone, BusinessGoal, ModelAssessment
    from plugins.rural.models import CollectiveIncome, MemberDuty, MobileContact, Stationing
    from plugins.soe.models import (
        CrossAppointment,
        Decision,
        Innovation,
        PerformanceLink,
        VanguardPost,
    )
    from plugins.two_new.models import TwoNewGroup, TwoNewInstructor, TwoNewUnit

    tenant, _ = service.apply(
        TenantSpec(
            slug=city.slug,
            name="并发编辑市委组织部",
            hosts=[f"{city.slug}.test"],
            plugins=list(PLUGINS),
        )
    )
    db.session.commit()
    city.tenant_id = tenant.id
    ids = city.ids
    with tenant_context(city.tenant_id):
        data.ensure_tree()
        data.ensure_members()
        data.ensure_mobile_members()
        data.ensure_users()
        db.session.commit()
        data.ensure_sector_data(TODAY)
        db.session.commit()
        assessment.ensure_assessment(TODAY)
        db.session.commit()
        for username in USERS:
            user = auth.create_user(username, DEFAULT_PASSWORD)
            db.session.flush()
            auth.grant(user, "tenant_admin")
        target = auth.create_user("target_user", DEFAULT_PASSWORD)
        db.session.commit()
        ids["user"] = str(target.id)
        home, neighbour = orgs.by_code(HOME), orgs.by_code(NEIGHBOUR)
        ids["org"], ids["neighbour"] = str(home.id), str(neighbour.id)
        from core.pairings.models import Pairing, PairingActivity, PairingTask

        task = db.session.scalars(select(PairingTask).order_by(PairingTask.id)).first()
        ids["pairing"], ids["pairing_task"] = str(task.pairing_id), str(task.id)
        ids["pairing_activity"] = _first(PairingActivity, PairingActivity.pairing_id == task.pairing_id)
        assert _first(Pairing)
        root = orgs.get(home.parent_id)
        while root.parent_id is not None:
            root = orgs.get(root.parent_id)
        linked = set(db.session.scalars(select(User.member_id).where(User.member_id.is_not(None))))
        free = [
            str(m)
            for m in db.session.scalars(
                select(Member.id)
                .where(Member.org_id.in_([home.id, neighbour.id]), Member.status == "full")
                .order_by(Member.org_id == neighbour.id, Member.joined_on, Member.id)
            )
            if m not in linked
        ]
        ids["member"], ids["link_a"], ids["link_b"], ids["dues_member"] = free[:4]
        ids["race_member_same"], ids["race_member_many"] = free[-2:]
        meetings = [
            str(m)
            for m in db.session.scalars(
                select(Meeting.id)
                .where(Meeting.org_id == home.id, Meeting.kind != "talk")
                .order_by(Meeting.held_on.desc(), Meeting.id)
            )
        ]
        ids["meeting"], ids["attendance_meeting"] = meetings[:2]
        ids["problem"] = _first(Problem)
        from core.reviews import service as reviews
        from core.reviews.models import ReviewItem

        review = reviews.open_cycle(root, TODAY.year, "并发编辑述职评议")  # the demo's are below
        [review_entry] = [e for e, o in reviews.entries_of(review) if o.id == home.id]
        review_item = ReviewItem(entry_id=review_entry.id, kind="next", title="来年承诺")
        db.session.add(review_item)
        db.session.commit()
        ids["lu_review"], ids["lu_review_entry"] = str(review.id), str(review_entry.id)
        ids["lu_review_item"] = str(review_item.id)
        ids.update(_brand_ids())
        from core.archives.models import ArchiveDocument

        documents = db.session.execute(
            select(ArchiveDocument.id, ArchiveDocument.member_id, ArchiveDocument.person_id)
            .order_by(ArchiveDocument.created_at, ArchiveDocument.id)
        ).all()
        on_members = [d for d in documents if d.member_id is not None]
        assert len(on_members) > 1 and any(d.person_id for d in documents), "no demo archives"
        ids["archive_member"], ids["archive_document"] = str(on_members[0].member_id), str(on_members[0].id)
        ids["web_archive_member"] = str(on_members[1].member_id)
        ids["web_archive_document"] = str(on_members[1].id)
        person_doc = next(d for d in documents if d.person_id is not None)
        ids["archive_person"], ids["person_archive_document"] = str(person_doc.person_id), str(person_doc.id)
        for kind, model in {
            "grid": Grid,
            "company": PropertyCompany,
            "registration": Registration,
            "brand": Brand,
            "goal": BusinessGoal,
            "model_assessment": ModelAssessment,
            "income": CollectiveIncome,
            "stationing": Stationing,
            "duty": MemberDuty,
            "contact": MobileContact,
            "decision": Decision,
            "appointment": CrossAppointment,
            "link": PerformanceLink,
            "vanguard": VanguardPost,
            "innovation": Innovation,
            "tn_unit": TwoNewUnit,
            "instructor": TwoNewInstructor,
            "tn_group": TwoNewGroup,
        }.items():
            ids[kind] = _first(model)
        milestone = db.session.scalars(select(BrandMilestone).order_by(BrandMilestone.id)).first()
        ids["milestone"], ids["milestone_brand"] = str(milestone.id), str(milestone.brand_id)
        incomes = [
            str(i)
            for i in db.session.scalars(select(CollectiveIncome.id).order_by(CollectiveIncome.id))
        ]
        assert len(incomes) >= 3, "the demo records fewer than three village incomes"
        ids["race_income"], ids["orm_income"] = incomes[1], incomes[2]
        cycle = cycles.open_cycle(
            name="复核中的季度考核", period="quarter", year=TODAY.year, part=1, root_org=root
        )
        run_cycle(cycle)
        db.session.commit()
        ids["review_cycle"] = str(cycle.id)
        manual = [
            (result.org_id, item["key"])
            for result in db.session.scalars(
                select(OrgResult).where(OrgResult.cycle_id == cycle.id).order_by(OrgResult.org_id)
            )
            for item in result.items or ()
            if item.get("scoring") == "manual"
        ]
        assert manual, "no standard of the demo city has a manual indicator"
        ids["manual_org"], ids["manual_indicator"] = str(manual[0][0]), manual[0][1]


def _log_in(client, city: City) -> None:
    for username in USERS:
        response = client.post(
            "/api/v1/auth/token",
            headers={"X-Tenant": city.slug},
            json={"username": username, "password": DEFAULT_PASSWORD},
        )
        assert response.status_code == 200, response.get_json()
        city.tokens[username] = response.get_json()["access_token"]


def _check_char(first17: str) -> str:
    from core.members.idcard import check_char

    return check_char(first17)


def _plant(client, city: City) -> None:
    """What the demo does not make, through the API as an administrator would."""
    ids = city.ids

    def api(method, path, **kwargs):
        response = client.open(
            f"/api/v1{path}", method=method, headers=city.headers("alice"), **kwargs
        )
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()

    ids["unit"] = api(
        "POST",
        f"/orgs/{ids['org']}/units",
        json={"name": "桃源村村民委员会", "unit_type": "village"},
    )["id"]
    ids["custom_indicator"] = api(
        "POST",
        "/indicators/custom",
        json={"slug": "lost_update", "name": "自定义指标", "scoring": "manual", "max_points": 5},
    )["key"]
    ids["standard"] = api("GET", "/standards")[0]["id"]
    ids["point_rule"] = api(
        "POST",
        "/points/rules",
        json={
            "key": "tenant.lost_update",
            "name": "志愿服务",
            "points": 2,
            "category": "volunteering",
        },
    )["key"]
    ids["partner"] = api("POST", "/points/partners", json={"name": "合作商户"})["id"]
    ids["offer"] = api(
        "POST",
        "/points/offers",
        json={"partner_id": ids["partner"], "name": "兑换品", "cost": 1, "stock": 50},
    )["id"]
    reasons = api("GET", "/problems/settings")["weak_reason_categories"]
    ids["designation"] = api(
        "POST",
        "/problems/weak-orgs",
        json={
            "org_id": ids["neighbour"],
            "year": TODAY.year,
            "reason_category": reasons[0],
            "description": "软弱涣散",
        },
    )["id"]
    ids["veto_reason"] = api("GET", "/cycles/settings")["veto_reasons"][0]
    rules = api("GET", "/warnings/rules")
    ids["warning_rule"] = rules[0]["key"]
    with_number = [
        (rule["key"], key, value)
        for rule in rules
        for key, value in (rule["defaults"] or {}).items()
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    assert with_number, "no warning rule has a whole-number parameter"
    ids["param_rule"], ids["param_key"], number = with_number[-1]
    ids["param_value"], ids["param_other"] = str(number + 1), str(number + 2)
    ids["person"] = api(
        "POST",
        "/development",
        json={
            "org_id": ids["org"],
            "name": "网页申请人",
            "ethnicity": "汉族",
            "id_number": "11010120000309012" + _check_char("11010120000309012"),
            "applied_on": (TODAY - timedelta(days=20)).isoformat(),
        },
    )["id"]
    warnings = [w["id"] for w in api("GET", "/warnings?state=open&page_size=5")]
    assert len(warnings) >= 2, "the demo raised fewer than two open warnings"
    ids["warning"] = warnings[1]
    ids["today"], ids["talked_on"] = TODAY.isoformat(), (TODAY - timedelta(days=10)).isoformat()
    ids["link_b_name"] = api("GET", f"/members/{ids['link_b']}")["name"]


@pytest.fixture(scope="module")
def city(app):
    """The demo city with four administrators, built once per module and backend; its
    tables emptied afterwards. Tests run outside any application context, so each request
    has its own session and connection, as in production."""
    from core.auth.context import acting_as, cli_actor
    from tests.conftest import _truncate_all

    built = City()
    try:
        with app.app_context():
            with acting_as(cli_actor()):
                _build_records(built)
            db.session.remove()
        client = app.test_client()
        _log_in(client, built)
        _plant(client, built)
        yield built
    finally:
        with app.app_context():
            db.session.remove()
            _truncate_all(app)


# -- the cases -----------------------------------------------------------------------------------


def _get(client, city: City, path: str):
    response = client.get(f"/api/v1{path}", headers=city.headers("alice"))
    assert response.status_code == 200, (path, response.get_json())
    return response.get_json()


def _find(items, key: str, value: str) -> dict:
    found = [item for item in items if str(item[key]) == str(value)]
    assert len(found) == 1, f"no single {key}={value} in the list"
    return found[0]


Reader = Callable[[object, City], dict]


@dataclass(frozen=True)
class Case:
    """A write route: ``path`` (ids filled from the city), how to read the record
    (``read`` → the object holding its version and ``field``), the two writers' bodies
    (``first`` and ``second`` set ``field`` to different values)."""

    path: str
    read: Reader
    field: str
    first: dict
    second: dict
    version_field: str = "version"
    version_required: bool = False

    def url(self, city: City) -> str:
        return "/api/v1" + self.path.format(**city.ids)

    def value(self, state: dict):
        return _plain(state.get(self.field))


def by_path(path: str) -> Reader:
    return lambda client, city: _get(client, city, path.format(**city.ids))


def in_list(path: str, key: str, id_name: str) -> Reader:
    return lambda client, city: _find(
        _get(client, city, path.format(**city.ids)), key, city.ids[id_name]
    )


def base_of_month(client, city: City):
    bases = _get(client, city, f"/dues/bases/{city.ids['dues_member']}")["bases"]
    found = [b for b in bases if b["effective_from"].startswith(MONTH.strftime("%Y-%m"))]
    return found[0] if found else {"version": 0, "base": None}


def manual_score(client, city: City):
    detail = _get(
        client, city, f"/cycles/{city.ids['review_cycle']}/results/{city.ids['manual_org']}"
    )
    found = [
        s for s in detail["manual_scores"] if s["indicator_key"] == city.ids["manual_indicator"]
    ]
    return found[0] if found else {"version": 0, "points": None}


def veto(client, city: City):
    detail = _get(client, city, f"/cycles/{city.ids['review_cycle']}/results/{city.ids['org']}")
    return detail["veto"] or {"version": 0, "note": None}


def milestone(client, city: City):
    brand = _get(client, city, f"/organs/brands/{city.ids['milestone_brand']}")
    return _find(brand["milestones"], "id", city.ids["milestone"])


def brand_case(client, city: City):
    brand = _get(client, city, f"/brands/{city.ids['case_brand']}")
    return _find(brand["cases"], "id", city.ids["brand_case"])


def attendance(client, city: City):
    return _get(client, city, f"/meetings/{city.ids['attendance_meeting']}")


def _everyone(client, city: City) -> list[str]:
    return [a["member_id"] for a in attendance(client, city)["attendance"]]


def pairing_task(client, city: City):
    return _find(_get(client, city, f"/pairings/{city.ids['pairing']}")["task_list"], "id", city.ids["pairing_task"])


def pairing_activity(client, city: City):
    return _find(_get(client, city, f"/pairings/{city.ids['pairing']}")["activity_list"], "id",
                 city.ids["pairing_activity"])


S = "/api/v1"  # OpenAPI paths carry the prefix; case paths do not

CASES: dict[tuple[str, str], Case] = {
    # core
    ("PATCH", "/orgs/{org_id}"): Case(
        "/orgs/{org}", by_path("/orgs/{org}"), "contact", {"contact": "甲"}, {"contact": "乙"}
    ),
    ("PATCH", "/orgs/{org_id}/units/{unit_id}"): Case(
        "/orgs/{org}/units/{unit}",
        in_list("/orgs/{org}/units", "id", "unit"),
        "name",
        {"name": "村委会甲"},
        {"name": "村委会乙"},
    ),
    ("PATCH", "/members/{member_id}"): Case(
        "/members/{member}",
        by_path("/members/{member}"),
        "job",
        {"job": "甲岗位"},
        {"job": "乙岗位"},
        version_required=True,
    ),
    ("PATCH", "/users/{user_id}"): Case(
        "/users/{user}",
        by_path("/users/{user}"),
        "member_id",
        {"member_id": "{link_a}"},
        {"member_id": "{link_b}"},
    ),
    ("PATCH", "/meetings/{meeting_id}"): Case(
        "/meetings/{meeting}",
        by_path("/meetings/{meeting}"),
        "topic",
        {"topic": "甲议题"},
        {"topic": "乙议题"},
    ),
    ("PUT", "/meetings/{meeting_id}/attendance"): Case(
        "/meetings/{attendance_meeting}/attendance",
        attendance,
        "present_count",
        {"present_member_ids": "*everyone*"},
        {"present_member_ids": []},
    ),
    ("PUT", "/dues/bases/{member_id}"): Case(
        "/dues/bases/{dues_member}",
        base_of_month,
        "base",
        {"effective_from": MONTH.isoformat(), "base": "5000.00"},
        {"effective_from": MONTH.isoformat(), "base": "6000.00"},
    ),
    ("PUT", "/dues/rates"): Case(
        "/dues/rates",
        by_path("/dues/rates"),
        "advance_months",
        {"advance_months": 10},
        {"advance_months": 11},
    ),
    ("PUT", "/development/settings"): Case(
        "/development/settings",
        by_path("/development/settings"),
        "min_age",
        {"min_age": 19},
        {"min_age": 20},
    ),
    ("PUT", "/cycles/settings"): Case(
        "/cycles/settings",
        by_path("/cycles/settings"),
        "veto_stars",
        {"veto_stars": 1},
        {"veto_stars": 2},
    ),
    ("PUT", "/cycles/{cycle_id}/results/{org_id}/manual/{indicator_key}"): Case(
        "/cycles/{review_cycle}/results/{manual_org}/manual/{manual_indicator}",
        manual_score,
        "points",
        {"points": "1", "reason": "甲评分"},
        {"points": "2", "reason": "乙评分"},
    ),
    ("PUT", "/cycles/{cycle_id}/results/{org_id}/veto"): Case(
        "/cycles/{review_cycle}/results/{org}/veto",
        veto,
        "note",
        {"reason": "{veto_reason}", "note": "甲否决"},
        {"reason": "{veto_reason}", "note": "乙否决"},
    ),
    ("PATCH", "/indicators/custom/{key}"): Case(
        "/indicators/custom/{custom_indicator}",
        in_list("/indicators/custom", "key", "custom_indicator"),
        "name",
        {"name": "甲指标"},
        {"name": "乙指标"},
    ),
    ("PUT", "/standards/{standard_id}"): Case(
        "/standards/{standard}",
        by_path("/standards/{standard}"),
        "description",
        {"description": "甲说明"},
        {"description": "乙说明"},
        version_field="edit_version",
    ),
    ("PATCH", "/points/rules/{key}"): Case(
        "/points/rules/{point_rule}",
        in_list("/points/rules", "key", "point_rule"),
        "description",
        {"description": "甲规则"},
        {"description": "乙规则"},
    ),
    ("PATCH", "/points/partners/{partner_id}"): Case(
        "/points/partners/{partner}",
        in_list("/points/partners", "id", "partner"),
        "contact",
        {"contact": "甲联系人"},
        {"contact": "乙联系人"},
    ),
    ("PATCH", "/points/offers/{offer_id}"): Case(
        "/points/offers/{offer}",
        in_list("/points/offers", "id", "offer"),
        "description",
        {"description": "甲兑换品"},
        {"description": "乙兑换品"},
    ),
    ("PUT", "/points/settings"): Case(
        "/points/settings",
        by_path("/points/settings"),
        "elderly_age",
        {"elderly_age": 75},
        {"elderly_age": 80},
    ),
    ("PUT", "/archives/settings"): Case(
        "/archives/settings",
        by_path("/archives/settings"),
        "members_joined_from",
        {"members_joined_from": "2020-01-01"},
        {"members_joined_from": "2021-01-01"},
    ),
    ("PATCH", "/members/{member_id}/archive/{document_id}"): Case(
        "/members/{archive_member}/archive/{archive_document}",
        by_path("/members/{archive_member}/archive/{archive_document}"),
        "note",
        {"note": "甲备注"},
        {"note": "乙备注"},
        version_required=True,
    ),
    ("PATCH", "/development/{person_id}/archive/{document_id}"): Case(
        "/development/{archive_person}/archive/{person_archive_document}",
        by_path("/development/{archive_person}/archive/{person_archive_document}"),
        "note",
        {"note": "甲备注"},
        {"note": "乙备注"},
        version_required=True,
    ),
    ("PUT", "/brands/settings"): Case(
        "/brands/settings",
        by_path("/brands/settings"),
        "notice_days",
        {"notice_days": 5},
        {"notice_days": 10},
    ),
    ("PATCH", "/brands/{brand_id}"): Case(
        "/brands/{library_brand}",
        by_path("/brands/{library_brand}"),
        "goals",
        {"goals": "甲愿景"},
        {"goals": "乙愿景"},
        version_required=True,
    ),
    ("PATCH", "/brands/{brand_id}/cases/{case_id}"): Case(
        "/brands/{case_brand}/cases/{brand_case}",
        brand_case,
        "title",
        {"title": "甲个案"},
        {"title": "乙个案"},
        version_required=True,
    ),
    ("PATCH", "/brands/model-sites/{site_id}"): Case(
        "/brands/model-sites/{applied_site}",
        by_path("/brands/model-sites/{applied_site}"),
        "statement",
        {"statement": "甲事迹"},
        {"statement": "乙事迹"},
        version_required=True,
    ),
    ("PUT", "/problems/settings"): Case(
        "/problems/settings",
        by_path("/problems/settings"),
        "default_deadline_days",
        {"default_deadline_days": 40},
        {"default_deadline_days": 50},
    ),
    ("PATCH", "/problems/{problem_id}"): Case(
        "/problems/{problem}",
        by_path("/problems/{problem}"),
        "description",
        {"description": "甲描述"},
        {"description": "乙描述"},
        version_required=True,
    ),
    ("PATCH", "/reviews/{cycle_id}"): Case(
        "/reviews/{lu_review}",
        by_path("/reviews/{lu_review}"),
        "name",
        {"name": "甲述职评议"},
        {"name": "乙述职评议"},
        version_required=True,
    ),
    ("PATCH", "/reviews/entries/{entry_id}"): Case(
        "/reviews/entries/{lu_review_entry}",
        by_path("/reviews/entries/{lu_review_entry}"),
        "report",
        {"report": "甲述职报告"},
        {"report": "乙述职报告"},
        version_required=True,
    ),
    ("PATCH", "/reviews/entries/{entry_id}/items/{item_id}"): Case(
        "/reviews/entries/{lu_review_entry}/items/{lu_review_item}",
        lambda client, city: _find(
            _get(client, city, f"/reviews/entries/{city.ids['lu_review_entry']}")["items"],
            "id",
            city.ids["lu_review_item"],
        ),
        "note",
        {"note": "甲说明"},
        {"note": "乙说明"},
        version_required=True,
    ),
    ("PUT", "/reviews/settings"): Case(
        "/reviews/settings",
        by_path("/reviews/settings"),
        "warning_deduction",
        {"warning_deduction": 3},
        {"warning_deduction": 4},
    ),
    ("PATCH", "/problems/weak-orgs/{designation_id}"): Case(
        "/problems/weak-orgs/{designation}",
        by_path("/problems/weak-orgs/{designation}"),
        "description",
        {"description": "甲情况"},
        {"description": "乙情况"},
        version_required=True,
    ),
    ("PATCH", "/warnings/rules/{key}"): Case(
        "/warnings/rules/{warning_rule}",
        in_list("/warnings/rules", "key", "warning_rule"),
        "enabled",
        {"enabled": False},
        {"enabled": True},
    ),
    # rural
    ("PATCH", "/rural/incomes/{income_id}"): Case(
        "/rural/incomes/{income}",
        by_path("/rural/incomes/{income}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/rural/stationings/{stationing_id}"): Case(
        "/rural/stationings/{stationing}",
        by_path("/rural/stationings/{stationing}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/rural/duties/{duty_id}"): Case(
        "/rural/duties/{duty}",
        by_path("/rural/duties/{duty}"),
        "responsibilities",
        {"responsibilities": "甲职责"},
        {"responsibilities": "乙职责"},
    ),
    ("PATCH", "/rural/mobile-contacts/{contact_id}"): Case(
        "/rural/mobile-contacts/{contact}",
        by_path("/rural/mobile-contacts/{contact}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    # community
    ("PATCH", "/community/grids/{grid_id}"): Case(
        "/community/grids/{grid}",
        by_path("/community/grids/{grid}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/community/property-companies/{company_id}"): Case(
        "/community/property-companies/{company}",
        by_path("/community/property-companies/{company}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/community/registrations/{registration_id}"): Case(
        "/community/registrations/{registration}",
        by_path("/community/registrations/{registration}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    # organs
    ("PATCH", "/organs/brands/{brand_id}"): Case(
        "/organs/brands/{brand}",
        by_path("/organs/brands/{brand}"),
        "slogan",
        {"slogan": "甲口号"},
        {"slogan": "乙口号"},
    ),
    ("PATCH", "/organs/brands/{brand_id}/milestones/{milestone_id}"): Case(
        "/organs/brands/{milestone_brand}/milestones/{milestone}",
        milestone,
        "title",
        {"title": "甲节点"},
        {"title": "乙节点"},
    ),
    ("PATCH", "/organs/business-goals/{goal_id}"): Case(
        "/organs/business-goals/{goal}",
        by_path("/organs/business-goals/{goal}"),
        "party_measure",
        {"party_measure": "甲举措"},
        {"party_measure": "乙举措"},
    ),
    ("PATCH", "/organs/model-assessments/{assessment_id}"): Case(
        "/organs/model-assessments/{model_assessment}",
        by_path("/organs/model-assessments/{model_assessment}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    # pairing
    ("PATCH", "/pairings/{pairing_id}"): Case(
        "/pairings/{pairing}", by_path("/pairings/{pairing}"), "goals", {"goals": "甲目标"}, {"goals": "乙目标"}
    ),
    ("PATCH", "/pairings/{pairing_id}/tasks/{task_id}"): Case(
        "/pairings/{pairing}/tasks/{pairing_task}", pairing_task, "result", {"result": "甲成效"},
        {"result": "乙成效"},
    ),
    ("PATCH", "/pairings/{pairing_id}/activities/{activity_id}"): Case(
        "/pairings/{pairing}/activities/{pairing_activity}", pairing_activity, "results",
        {"results": "甲成效"}, {"results": "乙成效"},
    ),
    ("PUT", "/pairings/settings"): Case(
        "/pairings/settings", by_path("/pairings/settings"), "figure_months", {"figure_months": 3},
        {"figure_months": 4},
    ),
    # two_new
    ("PATCH", "/two_new/units/{unit_id}"): Case(
        "/two_new/units/{tn_unit}",
        by_path("/two_new/units/{tn_unit}"),
        "notes",
        {"notes": "甲"},
        {"notes": "乙"},
    ),
    ("PATCH", "/two_new/instructors/{instructor_id}"): Case(
        "/two_new/instructors/{instructor}",
        by_path("/two_new/instructors/{instructor}"),
        "employer",
        {"employer": "甲单位"},
        {"employer": "乙单位"},
    ),
    ("PATCH", "/two_new/groups/{group_id}"): Case(
        "/two_new/groups/{tn_group}",
        by_path("/two_new/groups/{tn_group}"),
        "notes",
        {"notes": "甲"},
        {"notes": "乙"},
    ),
    # soe
    ("PATCH", "/soe/decisions/{decision_id}"): Case(
        "/soe/decisions/{decision}",
        by_path("/soe/decisions/{decision}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/soe/appointments/{appointment_id}"): Case(
        "/soe/appointments/{appointment}",
        by_path("/soe/appointments/{appointment}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/soe/performance-links/{link_id}"): Case(
        "/soe/performance-links/{link}",
        by_path("/soe/performance-links/{link}"),
        "note",
        {"note": "甲"},
        {"note": "乙"},
    ),
    ("PATCH", "/soe/vanguard-posts/{post_id}"): Case(
        "/soe/vanguard-posts/{vanguard}",
        by_path("/soe/vanguard-posts/{vanguard}"),
        "duty",
        {"duty": "甲职责"},
        {"duty": "乙职责"},
    ),
    ("PATCH", "/soe/innovations/{innovation_id}"): Case(
        "/soe/innovations/{innovation}",
        by_path("/soe/innovations/{innovation}"),
        "benefit",
        {"benefit": "甲成效"},
        {"benefit": "乙成效"},
    ),
}


def _body(case: Case, body: dict, client, city: City) -> dict:
    """``body`` with ``{id}`` placeholders filled and ``*everyone*`` the meeting's members."""
    filled = {}
    for key, value in body.items():
        if value == "*everyone*":
            value = _everyone(client, city)
        elif isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            value = city.ids[value[1:-1]]
        filled[key] = value
    return filled


def _plain(value):
    """Numbers compared as numbers, whether a route answers ``5000`` or ``"5000.00"``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _expected(case: Case, body: dict):
    value = body.get(case.field, body.get("present_member_ids"))
    if isinstance(value, list):  # the attendance case reads how many were present
        return Decimal(len(value))
    return _plain(value)


def _openapi_writes(app) -> set[tuple[str, str]]:
    with app.test_client() as client:
        document = client.get("/api/v1/openapi.json").get_json()
    return {
        (method.upper(), path.removeprefix(S))
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("patch", "put")
    }


def _error_fields(body: dict) -> set[str]:
    return set((body or {}).get("errors") or {})


# -- the tests -----------------------------------------------------------------------------------


def test_every_patch_and_put_route_has_a_case(app):
    routes = _openapi_writes(app)
    assert routes, "no PATCH or PUT route found: the enumeration itself is broken"
    missing = sorted(routes - set(CASES))
    assert not missing, (
        f"write routes without a lost-update case (add one to CASES in {__name__}): {missing}"
    )
    gone = sorted(set(CASES) - routes)
    assert not gone, f"cases for routes the API no longer has: {gone}"


@pytest.mark.parametrize("route", sorted(CASES), ids=" ".join)
def test_the_second_writer_with_a_stale_version_gets_409(app, city, route):
    case = CASES[route]
    alice, bob = app.test_client(), app.test_client()
    read = case.read(alice, city)
    version = read[case.version_field]
    assert isinstance(version, int), f"{route}: the read shows no {case.version_field}"
    first = _body(case, case.first, alice, city)
    second = _body(case, case.second, bob, city)

    done = alice.open(
        case.url(city),
        method=route[0],
        headers=city.headers("alice"),
        json={**first, case.version_field: version},
    )
    assert done.status_code == 200, done.get_json()
    refused = bob.open(
        case.url(city),
        method=route[0],
        headers=city.headers("bob"),
        json={**second, case.version_field: version},
    )
    assert refused.status_code == 409, refused.get_json()
    assert case.version_field in _error_fields(refused.get_json()), refused.get_json()

    after = case.read(alice, city)
    assert after[case.version_field] > version
    assert case.value(after) == _expected(case, first), (
        f"{route}: the first writer's change was lost"
    )


class _Gate:
    """Holds one thread's request just before its first write (``before_flush``) until
    :meth:`release`: the request has read what it will write, and writes later."""

    def __init__(self):
        self.held_thread: int | None = None
        self.reached, self.go = threading.Event(), threading.Event()

    def __call__(self, session, flush_context, instances):
        if threading.get_ident() == self.held_thread and not self.reached.is_set():
            self.reached.set()
            assert self.go.wait(WAIT), "the gate was never released"

    def __enter__(self):
        event.listen(Session, "before_flush", self)
        return self

    def __exit__(self, *exc):
        self.go.set()
        event.remove(Session, "before_flush", self)


@pytest.mark.parametrize("route", sorted(CASES), ids=" ".join)
def test_a_write_overtaken_after_its_read_is_refused(app, city, route):
    """No version sent (where optional): the UPDATE's own version check refuses to write
    over a change committed between the request's read and its write. (Both write the same
    value, so what proves the refusal is the 409: the later request changed nothing.)"""
    case = CASES[route]
    carol, dave = app.test_client(), app.test_client()
    start = {**_body(case, case.first, carol, city), case.version_field: None}
    start[case.version_field] = case.read(carol, city)[case.version_field]
    ready = carol.open(case.url(city), method=route[0], headers=city.headers("alice"), json=start)
    assert ready.status_code == 200, ready.get_json()  # the record holds the first value
    read = case.read(carol, city)
    extra = {case.version_field: read[case.version_field]} if case.version_required else {}
    # both write the second value: a change from what each read, so each one's UPDATE is real
    second = {**_body(case, case.second, dave, city), **extra}
    answers = {}

    with _Gate() as gate:

        def overtaken():
            gate.held_thread = threading.get_ident()
            answers["carol"] = carol.open(
                case.url(city), method=route[0], headers=city.headers("carol"), json=second
            )

        thread = threading.Thread(target=overtaken)
        thread.start()
        assert gate.reached.wait(WAIT), f"{route}: the first request never came to write"
        answers["dave"] = dave.open(
            case.url(city), method=route[0], headers=city.headers("dave"), json=second
        )
        gate.go.set()
        thread.join(WAIT)
        assert not thread.is_alive()

    assert answers["dave"].status_code == 200, answers["dave"].get_json()
    assert answers["carol"].status_code == 409, answers["carol"].get_json()
    assert _error_fields(answers["carol"].get_json()) & {"version", case.version_field}
    assert case.value(case.read(carol, city)) == _expected(case, second), (
        f"{route}: the committed change was overwritten"
    )


# -- races between threads -----------------------------------------------------------------------


def test_concurrent_increments_through_the_api_lose_nothing(app, city):
    """Four clients each add 1 to a village's income three times at once (read, write with
    the version read, read again on 409): every increment is in the total."""
    path = f"/api/v1/rural/incomes/{city.ids['race_income']}"
    start = Decimal(
        app.test_client()
        .get(path, headers=city.headers("alice"))
        .get_json()["operating_income_wan"]
    )
    rounds, conflicts = 3, []
    barrier = threading.Barrier(len(USERS))

    def increment(who: str) -> None:
        client = app.test_client()
        barrier.wait(WAIT)
        for _ in range(rounds):
            while True:
                current = client.get(path, headers=city.headers(who)).get_json()
                answer = client.patch(
                    path,
                    headers=city.headers(who),
                    json={
                        "operating_income_wan": str(Decimal(current["operating_income_wan"]) + 1),
                        "version": current["version"],
                    },
                )
                if answer.status_code == 200:
                    break
                assert answer.status_code == 409, answer.get_json()
                conflicts.append(who)

    with ThreadPoolExecutor(len(USERS)) as pool:
        for outcome in [pool.submit(increment, who) for who in USERS]:
            outcome.result(WAIT * 4)
    final = app.test_client().get(path, headers=city.headers("alice")).get_json()
    assert Decimal(final["operating_income_wan"]) == start + len(USERS) * rounds
    assert final["version"] >= 1 + len(USERS) * rounds


def test_two_connections_racing_on_one_row_the_later_write_is_refused(app, city):
    """The flush-time check itself, on two real connections: both sessions read the row,
    both change it; the first commits, the second's UPDATE finds the version moved and
    raises ``StaleDataError`` — its change is not written over the first's."""
    from plugins.rural.models import CollectiveIncome

    row_id = uuid.UUID(city.ids["orm_income"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}
    first_done = threading.Event()

    def edit(name: str, note: str, wait_for_first: bool) -> None:
        with app.app_context(), tenant_context(city.tenant_id):
            row = db.session.scalar(select(CollectiveIncome).where(CollectiveIncome.id == row_id))
            barrier.wait(WAIT)  # both have read the same version
            if wait_for_first:
                assert first_done.wait(WAIT)
            row.note = note
            try:
                db.session.commit()
                outcomes[name] = "committed"
            except StaleDataError:
                db.session.rollback()
                outcomes[name] = "stale"
            finally:
                if not wait_for_first:
                    first_done.set()
                db.session.remove()

    threads = [
        threading.Thread(target=edit, args=("first", "先", False)),
        threading.Thread(target=edit, args=("second", "后", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert outcomes == {"first": "committed", "second": "stale"}
    with app.app_context(), tenant_context(city.tenant_id):
        assert (
            db.session.scalar(select(CollectiveIncome.note).where(CollectiveIncome.id == row_id))
            == "先"
        )
        db.session.remove()


def _payments(app, city: City, member_id: str, months=None) -> list[date]:
    from core.dues.models import DuesPayment

    with app.app_context(), tenant_context(city.tenant_id):
        stmt = select(DuesPayment.month).where(DuesPayment.member_id == uuid.UUID(member_id))
        if months is not None:
            stmt = stmt.where(DuesPayment.month.in_(months))
        found = sorted(db.session.scalars(stmt))
        db.session.remove()
    return found


class _AllAtTheWrite:
    """Holds every thread's request before its first write until all are there: each has
    checked that the month is unpaid, none has written yet."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties)
        self.waiting = threading.local()
        self.racing: set[int] = set()

    def __call__(self, session, flush_context, instances):
        if threading.get_ident() in self.racing and not getattr(self.waiting, "done", False):
            self.waiting.done = True
            try:
                self.barrier.wait(WAIT)
            except threading.BrokenBarrierError:
                pass  # a request refused before its write: the others go on (the test says)

    def __enter__(self):
        event.listen(Session, "before_flush", self)
        return self

    def __exit__(self, *exc):
        event.remove(Session, "before_flush", self)


def _pay(app, city: City, who: str, member_id: str, month: date, gate: _AllAtTheWrite):
    gate.racing.add(threading.get_ident())
    return app.test_client().post(
        "/api/v1/dues/payments",
        headers=city.headers(who),
        json={
            "member_id": member_id,
            "month": month.isoformat(),
            "channel": "cash",
            "amount": "1.00",
        },
    )


def _month_ahead(months: int) -> date:
    """The first of the month ``months`` after this one (paid in advance: not paid yet)."""
    day = MONTH
    for _ in range(months):
        day = (day + timedelta(days=32)).replace(day=1)
    return day


def test_the_same_month_paid_by_concurrent_requests_is_recorded_once(app, city):
    member = city.ids["race_member_same"]
    month = _month_ahead(2)
    assert _payments(app, city, member, [month]) == []
    with _AllAtTheWrite(len(USERS)) as gate, ThreadPoolExecutor(len(USERS)) as pool:
        answers = [
            f.result(WAIT * 2)
            for f in [pool.submit(_pay, app, city, who, member, month, gate) for who in USERS]
        ]
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (len(USERS) - 1), [a.get_json() for a in answers]
    for refused in (a for a in answers if a.status_code == 409):
        assert "month" in _error_fields(refused.get_json()), refused.get_json()
    assert _payments(app, city, member, [month]) == [month]


def test_different_months_paid_at_once_are_all_recorded(app, city):
    member = city.ids["race_member_many"]
    months = [_month_ahead(n) for n in range(1, len(USERS) + 1)]
    assert _payments(app, city, member, months) == []
    with _AllAtTheWrite(len(USERS)) as gate, ThreadPoolExecutor(len(USERS)) as pool:
        answers = [
            f.result(WAIT * 2)
            for f in [
                pool.submit(_pay, app, city, who, member, m, gate)
                for who, m in zip(USERS, months, strict=True)
            ]
        ]
    assert [a.status_code for a in answers] == [201] * len(USERS), [a.get_json() for a in answers]
    assert _payments(app, city, member, months) == sorted(months)


def test_a_repeated_payment_request_is_refused_naming_month(app, city):
    """A client that retries a payment it did not see succeed gets 409, never a second row."""
    member = city.ids["dues_member"]
    client = app.test_client()
    month = _month_ahead(1)
    assert _payments(app, city, member, [month]) == []
    body = {"member_id": member, "month": month.isoformat(), "channel": "bank", "amount": "2.00"}
    first = client.post("/api/v1/dues/payments", headers=city.headers("alice"), json=body)
    again = client.post("/api/v1/dues/payments", headers=city.headers("bob"), json=body)
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 409 and "month" in _error_fields(again.get_json())
    assert _payments(app, city, member, [month]) == [month]


def test_every_model_a_case_writes_counts_versions():
    """The inventory: each editable model carries a version the mapper checks (the warning
    counts its acknowledgements with its own compare-and-set)."""
    from core.db.mixins import Versioned
    from core.models import load_all_models

    load_all_models()
    versioned = {
        m.class_.__name__ for m in db.Model.registry.mappers if m.version_id_col is not None
    }
    expected = {
        m.class_.__name__ for m in db.Model.registry.mappers if issubclass(m.class_, Versioned)
    }
    assert expected <= versioned
    editable = {
        "Organization",
        "OrgUnit",
        "OrgPost",
        "Member",
        "User",
        "Meeting",
        "DevelopmentPerson",
        "DevelopmentSettings",
        "DuesSettings",
        "DuesBase",
        "FinanceRole",
        "Standard",
        "CustomIndicator",
        "Cycle",
        "ManualScore",
        "Veto",
        "TenantPointRule",
        "PointRuleOverride",
        "Partner",
        "Offer",
        "Problem",
        "WeakDesignation",
        "TransferLetter",
        "RuleSetting",
        "TenantPlugin",
        "Tenant",
        "Grid",
        "PropertyCompany",
        "Registration",
        "Brand",
        "BrandMilestone",
        "ModelAssessment",
        "BusinessGoal",
        "CollectiveIncome",
        "Stationing",
        "MemberDuty",
        "MobileContact",
        "Decision",
        "CrossAppointment",
        "PerformanceLink",
        "VanguardPost",
        "Innovation",
        "TwoNewUnit",
        "TwoNewInstructor",
        "TwoNewGroup",
    }
    assert editable <= versioned, sorted(editable - versioned)


def test_a_stale_acknowledgement_of_a_warning_is_refused(app, city):
    from core.warnings.models import Warning

    with app.app_context(), tenant_context(city.tenant_id):
        warning_id = db.session.scalar(
            select(Warning.id).where(Warning.state == "open").order_by(Warning.id).limit(1)
        )
        db.session.remove()
    assert warning_id is not None, "the demo raised no warning"
    path = f"/api/v1/warnings/{warning_id}"
    client = app.test_client()
    version = client.get(path, headers=city.headers("alice")).get_json()["version"]
    done = client.post(
        f"{path}/acknowledge",
        headers=city.headers("alice"),
        json={"note": "甲已阅", "version": version},
    )
    refused = client.post(
        f"{path}/acknowledge",
        headers=city.headers("bob"),
        json={"note": "乙已阅", "version": version},
    )
    assert done.status_code == 200 and refused.status_code == 409, refused.get_json()
    assert "version" in _error_fields(refused.get_json())
    after = client.get(path, headers=city.headers("alice")).get_json()
    assert after["acknowledgement_note"] == "甲已阅" and after["version"] == version + 1


def _revision_before(path: Path) -> str:
    spec = importlib.util.spec_from_file_location("revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


def _as_tenant_1(conn) -> None:
    """Row-level security binds the plain role (PostgreSQL): act as tenant 1."""
    from sqlalchemy import text

    from core.tenancy import rls

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config(:name, '1', false)"), {"name": rls.SETTING})


def test_the_migrations_give_existing_rows_version_1(fresh_url):
    """A database with rows from before the version columns: upgraded, each row is at
    version 1 (core's organisations and tenants, a plugin's records)."""
    import flask_migrate
    from sqlalchemy import Uuid, bindparam, text

    from core.app import create_app

    root = Path(__file__).resolve().parents[2]
    core_before = _revision_before(root / "core/migrations/versions/0008_record_versions.py")
    rural_before = _revision_before(
        root / "plugins/rural/migrations/versions/rural_0002_versions.py"
    )
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": fresh_url, "TESTING": True, "SECRET_KEY": "x"})
    now = "2026-01-01 00:00:00+00:00"
    org_id, income_id = uuid.uuid4(), uuid.uuid4()
    with fresh.app_context():
        flask_migrate.upgrade(revision=core_before)
        flask_migrate.upgrade(revision=rural_before)
        with db.engine.begin() as conn:
            _as_tenant_1(conn)
            conn.execute(
                text(
                    "INSERT INTO tenants (id, slug, name, hosts, settings, is_active, "
                    "created_at) VALUES (1, 'old', '旧城', '[]', '{}', true, :now)"
                ),
                {"now": now},
            )
            ids = (bindparam("id", type_=Uuid), bindparam("org", type_=Uuid))
            conn.execute(
                text(
                    "INSERT INTO organizations (tenant_id, id, path, depth, code, name, "
                    "kind, status, created_at, updated_at) VALUES (1, :id, :path, 0, "
                    "'OLD', '旧村', 'branch', 'active', :now, :now)"
                ).bindparams(ids[0]),
                {"id": org_id, "path": org_id.hex, "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO rural_collective_incomes (tenant_id, id, org_id, year, "
                    "operating_income_wan, created_at, updated_at) VALUES "
                    "(1, :id, :org, 2025, 6, :now, :now)"
                ).bindparams(*ids),
                {"id": income_id, "org": org_id, "now": now},
            )
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            _as_tenant_1(conn)
            found = [
                conn.execute(text(f"SELECT version FROM {table}")).scalar_one()
                for table in ("tenants", "organizations", "rural_collective_incomes")
            ]
        assert found == [1, 1, 1]
        db.session.remove()
        db.engine.dispose()


# -- the web's edit forms ------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every ``<form>`` of a page: its action and what a browser would post (inputs,
    checked boxes, text areas, the selected option of each select)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append((a.get("action") or "", self._fields))
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._fields.setdefault(name, []).append(
                    a.get("value", "on" if kind == "checkbox" else "")
                )
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._fields.setdefault(self._select, []).append(value)
                self._selected = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if (
                not self._selected
                and not self._multiple
                and self._first_option is not None
                and self._fields is not None
            ):
                self._fields.setdefault(self._select, []).append(self._first_option)
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None and self._fields is not None:
            self._fields[self._textarea][-1] += data


def _form_of(
    page: str, action_ends: str, needs: str = "version", page_path: str = ""
) -> dict[str, list[str]]:
    """The fields of the page's form posting to ``…action_ends`` (a form without an action
    posts to the page itself, ``page_path``) that has a ``needs`` field."""
    parser = _Forms()
    parser.feed(page)
    found = [
        fields
        for action, fields in parser.forms
        if (action or page_path).split("?")[0].endswith(action_ends) and needs in fields
    ]
    assert found, f"no form posting to …{action_ends} with a {needs} field on the page"
    return found[0]


class _Browser:
    """A logged-in web user of the city (the tenant's host, the real login form)."""

    def __init__(self, app, city: City, username: str):
        self.client, self.host = app.test_client(), f"{city.slug}.test"
        page = self.get("/login").get_data(as_text=True)
        done = self.post(
            "/login",
            {**self._fields(page, "/login"), "username": username, "password": DEFAULT_PASSWORD},
        )
        assert done.status_code == 302, done.get_data(as_text=True)[:300]

    @staticmethod
    def _fields(page: str, action: str) -> dict:
        return {k: v[0] for k, v in _form_of(page, action, "csrf_token", page_path=action).items()}

    def get(self, path: str):
        return self.client.get(path, headers={"Host": self.host})

    def post(self, path: str, data: dict):
        return self.client.post(path, data=data, headers={"Host": self.host})


@dataclass(frozen=True)
class WebCase:
    """An edit page (``page``), its form (posting to ``action``; "" the page itself), what
    the user types (``typed``), a change someone else saves through the API while the page
    is open (``meanwhile``: method, path, body) and what the form would write (``state``:
    API path and key, read before and after the refused save). ``{name}`` is a city id."""

    page: str
    action: str
    typed: dict
    meanwhile: tuple[str, str, dict]
    state: tuple[str, str]
    saves_after: bool = True
    typed_shown: bool = True  # what is typed is shown again (not a button's hidden value)
    version_field: str = "version"
    setup: tuple[str, str, dict] | None = None  # so that ``meanwhile`` is a change


WEB_CASES = {
    "pairing": WebCase(
        "/pairings/{pairing}",
        "/pairings/{pairing}/edit",
        {"edit-goals": "网页甲共建目标"},
        ("PATCH", "/pairings/{pairing}", {"goals": "乙共建目标"}),
        ("/pairings/{pairing}", "goals"),
        version_field="edit-version",
    ),
    "stars": WebCase(
        "/admin/stars",
        "/admin/stars",
        {"veto_reasons": "{veto_reason}\n网页甲理由"},
        ("PUT", "/cycles/settings", {"veto_stars": 3}),
        ("/cycles/settings", "veto_reasons"),
        setup=("PUT", "/cycles/settings", {"veto_stars": 1}),
    ),
    "plugin settings": WebCase(
        "/admin/plugins/core.problems.plugin",
        "/admin/plugins/core.problems.plugin",
        {"default_deadline_days": "77"},
        ("PUT", "/problems/settings", {"default_deadline_days": 66}),
        ("/problems/settings", "default_deadline_days"),
        setup=("PUT", "/problems/settings", {"default_deadline_days": 55}),
    ),
    "warning rule": WebCase(
        "/admin/warning-rules/{param_rule}",
        "/admin/warning-rules/{param_rule}",
        {"{param_key}": "{param_value}"},
        ("PATCH", "/warnings/rules/{param_rule}", {"enabled": True, "params": {}}),
        ("/warnings/rules/*{param_rule}", "overrides"),
        setup=(
            "PATCH",
            "/warnings/rules/{param_rule}",
            {"params": {"{param_key}": "{param_other}"}},
        ),
    ),
    "point rule": WebCase(
        "/admin/point-rules/{point_rule}",
        "/admin/point-rules/{point_rule}",
        {"description": "网页甲说明"},
        ("PATCH", "/points/rules/{point_rule}", {"description": "接口乙说明"}),
        ("/points/rules/*{point_rule}", "description"),
    ),
    "partner": WebCase(
        "/admin/partners/{partner}",
        "",
        {"contact": "网页甲"},
        ("PATCH", "/points/partners/{partner}", {"contact": "接口乙"}),
        ("/points/partners/*{partner}", "contact"),
    ),
    "offer": WebCase(
        "/admin/partners/{partner}/offers/{offer}",
        "",
        {"description": "网页甲兑换品"},
        ("PATCH", "/points/offers/{offer}", {"description": "接口乙兑换品"}),
        ("/points/offers/*{offer}", "description"),
    ),
    "standard": WebCase(
        "/admin/standards/{standard}",
        "/admin/standards/{standard}",
        {"note": "网页甲修订", "action": "save"},
        ("PUT", "/standards/{standard}", {"description": "接口乙说明"}),
        ("/standards/{standard}", "edit_version"),
        version_field="edit_version",
        saves_after=False,
    ),  # the page re-saves a setting-default parameter as "" (422)
    "user's member": WebCase(
        "/admin/users/{user}?member_q={link_b_name}",
        "/admin/users/{user}/member",
        {"member_id": "{link_b}"},
        ("PATCH", "/users/{user}", {"member_id": None}),
        ("/users/{user}", "member_id"),
        setup=("PATCH", "/users/{user}", {"member_id": "{link_a}"}),
        typed_shown=False,
    ),
    "manual score": WebCase(
        "/cycles/{review_cycle}/results/{manual_org}",
        "/cycles/{review_cycle}/results/{manual_org}/manual/{manual_indicator}",
        {"points": "0.5", "reason": "网页甲评分"},
        (
            "PUT",
            "/cycles/{review_cycle}/results/{manual_org}/manual/{manual_indicator}",
            {"points": "0.25", "reason": "接口乙评分"},
        ),
        ("/cycles/{review_cycle}/results/{manual_org}", "manual_scores"),
    ),
    "veto": WebCase(
        "/cycles/{review_cycle}/results/{org}",
        "/cycles/{review_cycle}/results/{org}/veto",
        {"note": "网页甲否决"},
        (
            "PUT",
            "/cycles/{review_cycle}/results/{org}/veto",
            {"reason": "{veto_reason}", "note": "接口乙否决"},
        ),
        ("/cycles/{review_cycle}/results/{org}", "veto"),
    ),
    "warning acknowledgement": WebCase(
        "/warnings/{warning}",
        "/warnings/{warning}/acknowledge",
        {"note": "网页甲已阅"},
        ("POST", "/warnings/{warning}/acknowledge", {"note": "接口乙已阅"}),
        ("/warnings/{warning}", "acknowledgement_note"),
    ),
    "sector data": WebCase(
        "/work/{org}/sector",
        "",
        {},
        ("PATCH", "/orgs/{org}", {"contact": "接口乙联系人"}),
        ("/orgs/{org}", "attributes"),
    ),
    "unit sector data": WebCase(
        "/work/{org}/sector/units/{unit}",
        "",
        {},
        ("PATCH", "/orgs/{org}/units/{unit}", {"name": "接口乙村委会"}),
        ("/orgs/{org}/units/*{unit}", "attributes"),
    ),
    "archive document": WebCase(
        "/members/{web_archive_member}/archive/{web_archive_document}/edit",
        "/members/{web_archive_member}/archive/{web_archive_document}/edit",
        {"note": "网页甲备注"},
        ("PATCH", "/members/{web_archive_member}/archive/{web_archive_document}",
         {"version": 1, "note": "接口乙备注"}),
        ("/members/{web_archive_member}/archive/{web_archive_document}", "note"),
    ),
    "review report": WebCase(
        "/reviews/entries/{lu_review_entry}",
        "/reviews/entries/{lu_review_entry}/report",
        {"report": "网页甲述职报告", "action": "save"},
        ("PATCH", "/reviews/entries/{lu_review_entry}", {"report": "接口乙述职报告"}),
        ("/reviews/entries/{lu_review_entry}", "report"),
    ),
    "development step": WebCase(
        "/work/development/{person}",
        "",
        {"evidence": "网页甲谈话", "done_on": "{today}"},
        ("POST", "/development/{person}/steps", {"code": 2, "done_on": "{talked_on}"}),
        ("/development/{person}", "steps"),
        saves_after=False,
    ),
}


def _page_errors(text: str) -> list[str]:
    """The errors a page shows (for a failing test's message)."""
    found = re.findall(r'class="(?:error|flash[^"]*)"([^>]*)>([^<]*)<', text)
    return [f"{where.strip()} {message}" for where, message in found] or [text[-800:]]


def _filled(value, city: City):
    if isinstance(value, str):
        return value.format(**city.ids)
    if isinstance(value, dict):
        return {_filled(k, city): _filled(v, city) for k, v in value.items()}
    return value


def _state(client, city: City, case: WebCase):
    path, key = case.state
    path = _filled(path, city)
    if "/*" in path:  # a list, and the item of that id or key
        path, wanted = path.split("/*")
        items = _get(client, city, path)
        return next(item[key] for item in items if wanted in (str(item.get("id")), item.get("key")))
    return _get(client, city, path)[key]


@pytest.mark.parametrize("name", sorted(WEB_CASES))
def test_a_stale_web_form_saves_nothing_and_keeps_the_input(app, city, name):
    case = WEB_CASES[name]
    user = _Browser(app, city, "carol")
    api = app.test_client()
    if case.setup is not None:
        method, path, body = case.setup
        ready = api.open(
            "/api/v1" + _filled(path, city),
            method=method,
            headers=city.headers("alice"),
            json=_filled(body, city),
        )
        assert ready.status_code == 200, ready.get_json()
    page = user.get(_filled(case.page, city))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    page_path = _filled(case.page, city).split("?")[0]
    action = _filled(case.action, city) or page_path
    fields = _form_of(page.get_data(as_text=True), action, case.version_field, page_path)
    assert fields[case.version_field][0] not in ("", None), f"{name}: the form carries no version"
    typed = _filled(case.typed, city)
    posted = {key: values[0] if len(values) == 1 else values for key, values in fields.items()}
    posted.update(typed)

    method, path, body = case.meanwhile
    saved = api.open(
        "/api/v1" + _filled(path, city),
        method=method,
        headers=city.headers("bob"),
        json=_filled(body, city),
    )
    assert saved.status_code in (200, 201), saved.get_json()
    before = _state(api, city, case)

    refused = user.post(action, posted)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409, (name, refused.status_code, _page_errors(text))
    assert "该记录已被他人修改" in text, f"{name}: no Chinese word of the conflict"
    for key, value in typed.items():
        for line in value.splitlines() if case.typed_shown and key != "action" else ():
            assert line in text, f"{name}: what the user typed ({line}) is not kept"
    assert _state(api, city, case) == before, f"{name}: the stale form wrote something"

    if case.saves_after:  # the form opened afresh saves: the version round-trips
        fresh = _form_of(
            user.get(_filled(case.page, city)).get_data(as_text=True),
            action,
            case.version_field,
            page_path,
        )
        again = {key: values[0] if len(values) == 1 else values for key, values in fresh.items()}
        done = user.post(action, {**again, **typed})
        assert done.status_code == 302, (
            name,
            done.status_code,
            _page_errors(done.get_data(as_text=True)),
        )


def test_a_rejection_read_before_an_approval_does_not_overwrite_it(app, city):
    """Approving and rejecting a member's point entry are both edits of it: a rejection
    whose entry was read before someone else's approval committed is refused (409), so
    the entry is not left rejected with its points counted."""
    from core.api.errors import ApiError
    from core.points import ledger
    from core.points.models import PointEntry

    client = app.test_client()
    entry = client.post(
        "/api/v1/points/entries",
        headers=city.headers("alice"),
        json={
            "member_id": city.ids["member"],
            "rule_key": city.ids["point_rule"],
            "occurred_on": (TODAY - timedelta(days=2)).isoformat(),
            "evidence": "志愿服务",
        },
    )
    assert entry.status_code == 201, entry.get_json()
    assert entry.get_json()["status"] == "pending"
    entry_id = uuid.UUID(entry.get_json()["id"])

    with app.app_context(), tenant_context(city.tenant_id):
        read = db.session.scalar(select(PointEntry).where(PointEntry.id == entry_id))
        assert read.status == "pending"  # what the rejecting request read
        approval = ThreadPoolExecutor(1).submit(
            lambda: app.test_client().post(
                f"/api/v1/points/entries/{entry_id}/approve", headers=city.headers("bob")
            )
        )
        assert approval.result(WAIT).status_code == 200
        with pytest.raises(ApiError) as refused:
            ledger.reject(read, "乙驳回")
        assert refused.value.status == 409
        db.session.rollback()
        db.session.remove()
    after = client.get(f"/api/v1/points/entries/{entry_id}", headers=city.headers("alice"))
    assert after.get_json()["status"] == "approved"
