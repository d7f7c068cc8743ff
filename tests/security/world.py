"""Two populated cities for the isolation tests: every kind of record any route addresses, in
both, so each route can be asked about the other city's ids and about its own.

* ``alpha`` (甲) is the city whose users knock; ``beta`` (乙) is the city whose data must not
  come out. Both are the demo city (:mod:`core.demo`: the tree, members, users, every sector
  plugin's records, a year of meetings, dues, points, warnings and a published star rating),
  plus what the demo does not make, planted through the API as the city's own administrator
  would (:func:`_plant`): an org unit, transfer letters, a development applicant with a
  flagged step, a meeting attachment, an election, a custom indicator, a second cycle under
  review with an adjustment, a veto and a manual score, a point rule, entry, card, partner,
  offer and redemption, a problem with evidence, a weak-organisation designation and an
  import job. ``gamma`` only receives beta's letter to another city.
* Beta's records carry its marks (:data:`MARKS`: every organisation is renamed ``乙城·…``,
  every planted text says ``乙城机密``, files say ``BETA-SECRET``), so a leak is visible by
  name as well as by id: :meth:`World.leaks` looks for those and for every UUID stored in
  beta's rows.
* In each city, users hold one role each on the root (the whole tree), so a refusal they
  get is about the role, never about the subtree: ``admin`` (tenant_admin, tenant-wide),
  ``manager`` (org_manager), ``secretary`` (branch_secretary), ``member`` (member, the
  account of a register member) and ``operator`` (platform_operator).

``world`` is a module-scoped fixture (building it is most of the suite's time: 15–45 s a
backend on the shared machine): the tests of a module share it, so none of them may use
``client``/``app_ctx`` (they empty every table after each test); at the end of the module
the tables are emptied as those fixtures would. :func:`snapshot` digests
every row of a city, :class:`Watch` fingerprints it cheaply after each request, so a test
can prove a refused write changed nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import func, or_, select

from core.db import db
from core.tenancy import tenant_context
from tests.support.auth import DEFAULT_PASSWORD

PLUGINS = ("rural", "community", "organs", "two_new", "soe")
ROOT, HOME, NEIGHBOUR = "SZ", "SZ-QS-TY-01", "SZ-QS-TY-02"  # demo codes: city, 桃源村, 李家村
MARKS = {"alpha": "甲市自有", "beta": "乙城机密"}
FILE_MARKS = {"alpha": "ALPHA-OWN-FILE", "beta": "BETA-SECRET-FILE"}
ORG_PREFIX = "乙城·"  # beta's organisations are renamed with it

# label -> role, granted on the root (None: tenant-wide)
ROLE_USERS = {
    "admin": ("tenant_admin", None),
    "manager": ("org_manager", ROOT),
    "secretary": ("branch_secretary", ROOT),
    "member": ("member", ROOT),
    "operator": ("platform_operator", None),
}
ROLE_OF = {label: role for label, (role, _) in ROLE_USERS.items()}

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TODAY = date.today()


def pdf(mark: str) -> bytes:
    """A small PDF (accepted by :mod:`core.files` by its magic) carrying ``mark``."""
    return f"%PDF-1.4\n% {mark}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".encode()


@dataclass
class City:
    slug: str
    name: str
    tenant_id: int = 0
    mark: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"{self.slug}.test"

    def headers(self, who: str = "admin") -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}", "X-Tenant": self.slug}


@dataclass
class World:
    app: object
    alpha: City
    beta: City
    gamma: City
    beta_uuids: set[str] = field(default_factory=set)
    beta_texts: tuple[str, ...] = ()

    def city(self, name: str) -> City:
        return {"alpha": self.alpha, "beta": self.beta}[name]

    def leaks(self, content: bytes | str, sent=()) -> list[str]:
        """What of beta is in ``content`` (a response body): its UUIDs — except those the
        request itself sent, which an error may echo — and its marked names and texts.
        An .xlsx is searched inside."""
        text = readable(content)
        sent = {str(s).lower() for s in sent}
        found = sorted(
            {
                u
                for u in UUID_RE.findall(text)
                if u.lower() in self.beta_uuids and u.lower() not in sent
            }
        )
        found += [t for t in self.beta_texts if t in text and t.lower() not in sent]
        return found


def readable(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if content[:4] == b"PK\x03\x04":  # an .xlsx: its sheets and shared strings
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return content.decode("utf-8", "replace")


# -- snapshots ---------------------------------------------------------------------------------


def tenant_tables():
    return [t for t in db.metadata.sorted_tables if "tenant_id" in t.c]


def _rows(table, tenant_id: int):
    from core.tenancy.models import Tenant

    if table.name == "transfer_envelopes":
        condition = or_(table.c.from_tenant_id == tenant_id, table.c.to_tenant_id == tenant_id)
    elif table is Tenant.__table__:
        condition = table.c.id == tenant_id
    else:
        condition = table.c.tenant_id == tenant_id
    pk = list(table.primary_key.columns) or list(table.c)
    return db.session.execute(select(table).where(condition).order_by(*pk)).all()


def _all_tables():
    from core.tenancy.models import Tenant

    extra = [db.metadata.tables["transfer_envelopes"], Tenant.__table__]
    return tenant_tables() + extra


def snapshot(tenant_id: int, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A digest per table of the city's rows (its own tenant row and the transfer envelopes
    it sent or received included), read as the city itself so row-level security lets them
    through; ``skip`` names tables left out."""
    digests = {}
    if db.session().in_transaction():
        db.session.commit()
    with tenant_context(tenant_id):
        for table in _all_tables():
            if table.name in skip:
                continue
            rows = _rows(table, tenant_id)
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.commit()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def _uuids_of(tenant_id: int) -> set[str]:
    found: set[str] = set()
    with tenant_context(tenant_id):
        for table in _all_tables():
            for row in _rows(table, tenant_id):
                found.update(u.lower() for u in UUID_RE.findall(repr(tuple(str(v) for v in row))))
        db.session.commit()
    return found


# -- building ----------------------------------------------------------------------------------


def _id_number(birth: date, serial: int) -> str:
    from core.members.idcard import check_char

    first17 = f"110101{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_char(first17)


def _create_tenant(city: City, plugins=PLUGINS) -> None:
    from core.tenancy import service
    from core.tenancy.files import TenantSpec

    tenant, _ = service.apply(
        TenantSpec(slug=city.slug, name=city.name, hosts=[city.host], plugins=list(plugins))
    )
    db.session.commit()
    city.tenant_id = tenant.id
    city.mark = MARKS.get(city.slug, city.slug)


def _demo(city: City) -> None:
    from core.demo import assessment, data

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


def _role_users(city: City) -> None:
    """The users of :data:`ROLE_USERS`; ``member`` is the account of a register member of
    the home branch (the second youngest: the youngest is the demo's ``dangyuan``), never
    one the tests address as "a member"."""
    from core.auth import service as auth
    from core.members.models import Member
    from core.orgs import service as orgs

    with tenant_context(city.tenant_id):
        root = orgs.by_code(ROOT)
        for label, (role, on) in ROLE_USERS.items():
            username = f"iso_{label}"
            # beta's names carry its mark; alpha's none, so a page refused in alpha shows no mark
            shown = f"{city.mark}{label}" if city.slug == "beta" else label
            user = auth.create_user(username, DEFAULT_PASSWORD, display_name=shown)
            db.session.flush()
            auth.grant(user, role, root if on else None)
            city.usernames[label] = username
            if label == "member":
                home = orgs.by_code(HOME)
                own = db.session.scalar(
                    select(Member)
                    .where(Member.org_id == home.id, Member.status == "full")
                    .order_by(Member.birth_date.desc(), Member.id)
                    .offset(1)
                    .limit(1)
                )
                auth.link_member(user, own.id)
                city.ids["self_member"] = str(own.id)
        db.session.commit()


def _log_in(client, city: City) -> None:
    for label, username in city.usernames.items():
        response = client.post(
            "/api/v1/auth/token",
            json={"username": username, "password": DEFAULT_PASSWORD},
            headers={"X-Tenant": city.slug},
        )
        assert response.status_code == 200, response.get_json()
        city.tokens[label] = response.get_json()["access_token"]


class _Planter:
    """Calls the API as the city's administrator; every call must succeed."""

    def __init__(self, client, city: City):
        self.client, self.city = client, city

    def __call__(self, method: str, path: str, expect=(200, 201, 202), **kwargs):
        response = self.client.open(
            f"/api/v1{path}", method=method, headers=self.city.headers("admin"), **kwargs
        )
        assert response.status_code in expect, (
            self.city.slug,
            method,
            path,
            response.status_code,
            response.get_data(as_text=True)[:500],
        )
        return response.get_json() if response.is_json else None


def _org_id(code: str) -> str:
    from core.orgs import service as orgs

    return str(orgs.by_code(code).id)


def _members_of(code: str, skip=()) -> list[str]:
    from core.members.models import Member
    from core.orgs import service as orgs

    org = orgs.by_code(code)
    rows = db.session.scalars(
        select(Member.id)
        .where(Member.org_id == org.id, Member.status == "full")
        .order_by(Member.joined_on, Member.id)
    )
    return [str(m) for m in rows if str(m) not in skip]


def _first(model, *conditions, order=None) -> str:
    row = db.session.scalar(
        select(model.id).where(*conditions).order_by(order or model.id).limit(1)
    )
    assert row is not None, f"the demo made no {model.__name__}"
    return str(row)


def _demo_ids(city: City) -> None:
    """Ids of what the demo made, by kind (see :data:`tests.security.api_routes.KINDS`)."""
    from core.assessment.models.cycles import Cycle
    from core.assessment.standards import list_standards
    from core.auth.models import RoleGrant, User
    from core.dues.models import FinanceRole
    from core.life.models import Meeting
    from core.orgs.models import OrgPost
    from core.warnings.models import Warning
    from plugins.community.models import Grid, PropertyCompany, Registration, Service
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

    ids = city.ids
    with tenant_context(city.tenant_id):
        ids["root"] = _org_id(ROOT)
        ids["org"] = _org_id(HOME)
        ids["neighbour"] = _org_id(NEIGHBOUR)
        ids["code"] = f"{city.slug.upper()}-SPARE"  # the empty branch's code: no other city has it
        ids["organs_committee"] = _org_id(
            "SZ-JG"
        )  # 市直机关工委: an organs organisation without a brand
        members = _members_of(HOME, skip={ids["self_member"]})
        ids["member"], ids["transfer_member"], ids["outgoing_member"] = (
            members[0],
            members[1],
            members[2],
        )
        ids["meeting"] = _first(Meeting, Meeting.org_id == uuid.UUID(ids["org"]))
        post = db.session.scalars(
            select(OrgPost).where(OrgPost.ended_on.is_(None)).order_by(OrgPost.id)
        ).first()
        ids["post"], ids["post.org"] = str(post.id), str(post.org_id)
        ids["finance_role"] = _first(FinanceRole)
        ids["warning"] = _first(Warning, Warning.state == "open")
        ids["warning_rule"] = "dues.unpaid_3_months"  # a built-in rule: the same name everywhere
        ids["version_number"] = "1"
        ids["plugin_name"], ids["toggle"] = (
            "rural",
            "enable",
        )  # names, not records (the web's admin)
        ids["standard"] = str(list_standards()[0].id)
        ids["cycle"] = _first(Cycle, Cycle.state == "published")
        demo_admin = db.session.scalar(select(User).where(User.username == "taoyuan"))
        ids["user"] = str(demo_admin.id)
        ids["grant"] = _first(RoleGrant, RoleGrant.user_id == demo_admin.id)
        for kind, model in {
            "grid": Grid,
            "company": PropertyCompany,
            "registration": Registration,
            "service": Service,
            "brand": Brand,
            "assessment": ModelAssessment,
            "goal": BusinessGoal,
            "income": CollectiveIncome,
            "stationing": Stationing,
            "duty": MemberDuty,
            "contact": MobileContact,
            "decision": Decision,
            "appointment": CrossAppointment,
            "link": PerformanceLink,
            "vanguard_post": VanguardPost,
            "innovation": Innovation,
            "tn_unit": TwoNewUnit,
            "instructor": TwoNewInstructor,
            "tn_group": TwoNewGroup,
        }.items():
            row = db.session.scalars(select(model).order_by(model.id)).first()
            assert row is not None, f"the demo made no {model.__name__}"
            ids[kind] = str(row.id)
            # the organisation (and member) it belongs to: what creating another one names
            for attribute in ("org_id", "member_id"):
                if getattr(row, attribute, None) is not None:
                    ids[f"{kind}.{attribute[:-3]}"] = str(getattr(row, attribute))
        milestone = db.session.scalars(select(BrandMilestone).order_by(BrandMilestone.id)).first()
        ids["milestone"], ids["milestone.brand"] = str(milestone.id), str(milestone.brand_id)
        _brand_ids(ids)
        db.session.commit()


def _brand_ids(ids: dict) -> None:
    """The brand library's and model sites' demo records: the home village's brand with its
    case and its awarded model site, and the objection of the site on notice."""
    from core.brands.models import Brand, BrandCase, ModelSite, SiteObjection

    home = uuid.UUID(ids["org"])
    brand = db.session.scalar(select(Brand).where(Brand.org_id == home))
    case = db.session.scalars(select(BrandCase).where(BrandCase.brand_id == brand.id).order_by(BrandCase.id)).first()
    site = db.session.scalars(select(ModelSite).where(ModelSite.org_id == home).order_by(ModelSite.id)).first()
    objection = db.session.scalars(select(SiteObjection).order_by(SiteObjection.id)).first()
    ids["library_brand"], ids["brand_case"], ids["brand_case.brand"] = str(brand.id), str(case.id), str(brand.id)
    ids["model_site"] = str(site.id)
    ids["site_objection"], ids["site_objection.site"] = str(objection.id), str(objection.site_id)


def _review_ids(city: City) -> None:
    """The demo's secretaries' review of this year (in its rating stage): the home village's
    entry, one of its next year's commitments, and a report attachment (stored as the
    secretary would have while the report was a draft: the stage allows no upload now)."""
    from core import files
    from core.reviews.models import ReviewAttachment, ReviewCycle, ReviewEntry, ReviewItem

    ids = city.ids
    with tenant_context(city.tenant_id):
        cycle = db.session.scalar(select(ReviewCycle).where(ReviewCycle.year == TODAY.year))
        entry = db.session.scalar(select(ReviewEntry).where(
            ReviewEntry.cycle_id == cycle.id, ReviewEntry.org_id == uuid.UUID(ids["org"])))
        item = db.session.scalar(select(ReviewItem).where(
            ReviewItem.entry_id == entry.id, ReviewItem.kind == "next").order_by(ReviewItem.id).limit(1))
        stored = files.store(city.tenant_id, io.BytesIO(pdf(FILE_MARKS.get(city.slug, city.slug))),
                             "述职报告附件.pdf")
        attachment = ReviewAttachment(entry_id=entry.id, stored_name=stored.name,
                                      original_name=stored.original_name, file_type=stored.file_type,
                                      content_type=stored.content_type, size=stored.size)
        db.session.add(attachment)
        db.session.commit()
        ids["sec_review"], ids["sec_review_entry"] = str(cycle.id), str(entry.id)
        ids["sec_review_item"], ids["sec_review_item.entry"] = str(item.id), str(entry.id)
        ids["sec_review_file"], ids["sec_review_file.entry"] = str(attachment.id), str(entry.id)


def _second_cycle(city: City) -> None:
    """A cycle under review (evaluated, not published), so adjustments, vetoes and manual
    scores can be made and withdrawn; run in-process like the demo's."""
    from core.assessment import cycles
    from core.assessment.evaluate import run as run_cycle
    from core.orgs import service as orgs

    with tenant_context(city.tenant_id):
        cycle = cycles.open_cycle(
            name=f"{city.mark}季度考核",
            period="quarter",
            year=TODAY.year,
            part=1,
            root_org=orgs.by_code(ROOT),
        )
        run_cycle(cycle)
        db.session.commit()
        city.ids["review_cycle"] = str(cycle.id)


def _plant(client, city: City) -> None:
    api, ids, mark = _Planter(client, city), city.ids, city.mark
    birth = date(1990, 5, 17)
    serial = 500 if city.slug == "beta" else 400

    marker = api(
        "POST",
        "/members",
        json={
            "org_id": ids["org"],
            "name": f"{mark}党员",
            "ethnicity": "汉族",
            "gender": "male",
            "birth_date": birth.isoformat(),
            "id_number": _id_number(birth, serial + 1),
            "joined_on": "2015-07-01",
            "full_on": "2016-07-01",
            "status": "full",
        },
    )
    ids["marked_member"] = marker["id"]

    spare = api(
        "POST",
        "/orgs",
        json={
            "name": f"{mark}空支部",
            "code": f"{city.slug.upper()}-SPARE",
            "kind": "branch",
            "parent_id": ids["root"],
        },
    )
    ids["spare_org"] = spare["id"]  # no members: what structural changes are tried on

    unit = api(
        "POST",
        f"/orgs/{ids['org']}/units",
        json={"name": f"{mark}村民委员会", "unit_type": "village"},
    )
    ids["unit"], ids["unit.org"] = unit["id"], ids["org"]

    letter = api(
        "POST",
        "/transfers",
        json={
            "member_id": ids["transfer_member"],
            "to_org_id": ids["neighbour"],
            "reason": f"{mark}组织关系转接",
        },
    )
    ids["letter"], ids["transfer_code"] = letter["id"], letter["code"]
    if city.slug == "beta":
        away = api(
            "POST",
            "/transfers",
            json={
                "member_id": ids["outgoing_member"],
                "to_tenant": "gamma",
                "to_org_code": "G-1",
                "reason": f"{mark}跨市转接",
            },
        )
        ids["outgoing_code"] = away["code"]

    applied = TODAY - timedelta(days=200)
    person = api(
        "POST",
        "/development",
        json={
            "org_id": ids["org"],
            "name": f"{mark}申请人",
            "ethnicity": "汉族",
            "id_number": _id_number(date(2000, 3, 9), serial + 2),
            "applied_on": applied.isoformat(),
        },
    )
    ids["person"] = person["id"]
    step = api(
        "POST",
        f"/development/{person['id']}/steps",
        json={
            "code": 2,
            "done_on": (applied + timedelta(days=90)).isoformat(),
            "override_reason": f"{mark}逾期谈话，已报批",
        },
    )
    ids["step"] = step["id"]

    attachment = api(
        "POST",
        f"/meetings/{ids['meeting']}/attachments",
        data={"file": (io.BytesIO(pdf(FILE_MARKS[city.slug])), "minutes.pdf")},
        content_type="multipart/form-data",
    )
    ids["attachment"] = attachment["id"]

    # the city committee: the demo gives it no term, so a regular election fits any date
    api(
        "POST",
        "/elections",
        json={
            "org_id": ids["root"],
            "held_on": (TODAY - timedelta(days=30)).isoformat(),
            "notes": f"{mark}换届选举",
        },
    )

    indicator = api(
        "POST",
        "/indicators/custom",
        json={
            "slug": f"{city.slug}_own",
            "name": f"{mark}自定义指标",
            "scoring": "manual",
            "max_points": 5,
        },
    )
    ids["custom_indicator"] = indicator["key"]
    ids["indicator"] = indicator["key"]

    _second_cycle(city)
    cycle = ids["review_cycle"]
    adjustment = api(
        "POST",
        f"/cycles/{cycle}/results/{ids['org']}/adjustments",
        json={"points": 2, "reason": f"{mark}加分"},
    )
    ids["adjustment"] = adjustment["id"]
    reasons = api("GET", "/cycles/settings")["veto_reasons"]
    api(
        "PUT",
        f"/cycles/{cycle}/results/{ids['org']}/veto",
        json={"reason": reasons[0], "note": f"{mark}否决"},
    )
    manual = None
    for result in api("GET", f"/cycles/{cycle}/results?page_size=100"):
        detail = api("GET", f"/cycles/{cycle}/results/{result['org_id']}")
        keys = [line["key"] for line in detail["breakdown"] if line.get("scoring") == "manual"]
        if keys:
            manual = (result["org_id"], keys[0])
            break
    assert manual, "no standard of the review cycle has a manual indicator"
    ids["manual.org"], ids["manual_indicator"] = manual
    api(
        "PUT",
        f"/cycles/{cycle}/results/{manual[0]}/manual/{manual[1]}",
        json={"points": 1, "reason": f"{mark}人工评分"},
    )

    rule = api(
        "POST",
        "/points/rules",
        json={
            "key": f"tenant.{city.slug}_own_rule",
            "name": f"{mark}积分规则",
            "points": 2,
            "category": "volunteering",
        },
    )
    ids["point_rule"] = rule["key"]
    entry = api(
        "POST",
        "/points/entries",
        json={
            "member_id": ids["member"],
            "rule_key": rule["key"],
            "occurred_on": (TODAY - timedelta(days=3)).isoformat(),
            "evidence": f"{mark}志愿服务",
        },
    )
    ids["entry"] = entry["id"]
    api(
        "POST",
        f"/points/entries/{entry['id']}/attachment",
        data={"file": (io.BytesIO(pdf(FILE_MARKS[city.slug])), "proof.pdf")},
        content_type="multipart/form-data",
    )
    card = api("POST", f"/points/members/{ids['member']}/card")
    ids["card_token"] = card["url"].rsplit("/", 1)[1]
    partner = api(
        "POST", "/points/partners", json={"name": f"{mark}合作商户", "contact": f"{mark}联系人"}
    )
    ids["partner"] = partner["id"]
    offer = api(
        "POST",
        "/points/offers",
        json={"partner_id": partner["id"], "name": f"{mark}兑换品", "cost": 1, "stock": 50},
    )
    ids["offer"] = offer["id"]
    redemption = api(
        "POST", "/points/redemptions", json={"member_id": ids["member"], "offer_id": offer["id"]}
    )
    ids["redemption_code"] = redemption["code"]

    settings = api("GET", "/problems/settings")
    problem = api(
        "POST",
        "/problems",
        json={
            "org_id": ids["org"],
            "source": "inspection",
            "category": settings["categories"][0],
            "title": f"{mark}整改问题",
            "description": f"{mark}问题描述",
            "deadline": (TODAY + timedelta(days=60)).isoformat(),
        },
    )
    ids["problem"] = problem["id"]
    evidence = api(
        "POST",
        f"/problems/{problem['id']}/evidence",
        data={"text": f"{mark}整改材料", "file": (io.BytesIO(pdf(FILE_MARKS[city.slug])), "e.pdf")},
        content_type="multipart/form-data",
    )
    ids["evidence"] = evidence["id"]
    designation = api(
        "POST",
        "/problems/weak-orgs",
        json={
            "org_id": ids["neighbour"],
            "year": TODAY.year,
            "reason_category": settings["weak_reason_categories"][0],
            "description": f"{mark}软弱涣散",
        },
    )
    ids["designation"] = designation["id"]
    for path, kind, doc_type in ((f"/members/{ids['member']}", "archive_document", "application"),
                                 (f"/development/{ids['person']}", "person_archive_document", "political_review")):
        document = api(
            "POST",
            f"{path}/archive",
            data={"doc_type": doc_type, "title": f"{mark}档案材料", "dated_on": TODAY.isoformat(),
                  "note": f"{mark}档案备注", "file": (io.BytesIO(pdf(FILE_MARKS[city.slug])), "d.pdf")},
            content_type="multipart/form-data",
        )
        ids[kind] = document["id"]

    template = client.get("/api/v1/imports/members/template", headers=city.headers("admin"))
    assert template.status_code == 200
    job = api(
        "POST",
        "/imports/members",
        data={"file": (io.BytesIO(template.data), "members.xlsx")},
        content_type="multipart/form-data",
    )
    ids["job"] = job["id"]

    # pairing (双联结对共建): 城投 and 星光科技 with 桃源村 (the demo pairs others); the spare is dissolved
    with tenant_context(city.tenant_id):
        sides = {code: _org_id(code) for code in ("SZ-GZ-CT-01", "SZ-LX-XG")}
        db.session.commit()
    for kind, code in (("pairing", "SZ-GZ-CT-01"), ("spare_pairing", "SZ-LX-XG")):
        pairing = api("POST", "/pairings", json={
            "org_id": sides[code], "partner_org_id": ids["org"], "goals": f"{mark}共建目标",
            "started_on": (TODAY - timedelta(days=30)).isoformat(), "contact": f"{mark}联络人"})
        ids[kind] = pairing["id"]
    task = api("POST", f"/pairings/{ids['pairing']}/tasks", json={"title": f"{mark}共建任务"})
    ids["pairing_task"], ids["pairing_task.pairing"] = task["id"], ids["pairing"]
    activity = api("POST", f"/pairings/{ids['pairing']}/activities", json={
        "held_on": (TODAY - timedelta(days=3)).isoformat(), "kind": "joint_study",
        "topic": f"{mark}联学活动", "results": f"{mark}成效", "participants_note": f"{mark}参加人员"})
    ids["pairing_activity"], ids["pairing_activity.pairing"] = activity["id"], ids["pairing"]


def _run_queued_jobs(app) -> None:
    """With Redis (the PostgreSQL leg) the import job planted waits in the queue: run it, so
    both backends hold a finished job. What earlier tests left queued is dropped first."""
    if not app.config.get("REDIS_URL"):
        return
    from rq import SimpleWorker

    from core.jobs import queue as job_queue

    SimpleWorker([job_queue.queue(app)], connection=job_queue.connection(app)).work(burst=True)


def _empty_queue(app) -> None:
    if app.config.get("REDIS_URL"):
        from core.jobs import queue as job_queue

        job_queue.queue(app).empty()


def _relabel(city: City) -> None:
    """Beta's organisations renamed ``乙城·<name>``: its tree is then told apart by name."""
    from core.orgs import service as orgs
    from core.orgs.models import Organization

    with tenant_context(city.tenant_id):
        for org in db.session.scalars(select(Organization)).all():
            orgs.update(org, {"name": ORG_PREFIX + org.name})
        db.session.commit()


def _beta_texts(world: World) -> tuple[str, ...]:
    beta = world.beta
    texts = {
        MARKS["beta"],
        FILE_MARKS["beta"],
        ORG_PREFIX,
        beta.name,
        beta.ids["transfer_code"],
        beta.ids["outgoing_code"],
        beta.ids["card_token"],
        beta.ids["redemption_code"],
        beta.ids["custom_indicator"],
        beta.ids["point_rule"],
        beta.ids["code"],
    }
    return tuple(sorted(texts))


def build(app) -> World:
    from core.auth.context import acting_as, cli_actor

    world = World(
        app=app,
        alpha=City("alpha", "甲市委组织部"),
        beta=City("beta", "乙城市委组织部"),
        gamma=City("gamma", "丙市委组织部"),
    )
    with acting_as(cli_actor()):
        for city in (world.alpha, world.beta):
            _create_tenant(city)
        _create_tenant(world.gamma, plugins=())
        for city in (world.alpha, world.beta):
            _demo(city)
            _role_users(city)
            _demo_ids(city)
            _review_ids(city)
    client = app.test_client()
    _empty_queue(app)
    for city in (world.alpha, world.beta):
        _log_in(client, city)
        _plant(client, city)
    _run_queued_jobs(app)
    with acting_as(cli_actor()):
        _relabel(world.beta)
    world.beta_uuids = _uuids_of(world.beta.tenant_id) - _uuids_of(world.alpha.tenant_id)
    world.beta_texts = _beta_texts(world)
    return world


@pytest.fixture(scope="module", name="world")
def world_fixture(app):
    """The two cities, built once per module and backend; emptied afterwards."""
    from tests.conftest import _truncate_all

    with app.app_context():
        try:
            yield build(app)
        finally:
            db.session.remove()
            _truncate_all(app)
            _empty_queue(app)  # the jobs the tests started belong to rows now gone


def fingerprint(tenant_id: int, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """A cheap per-table fingerprint of the city's rows — count, latest ``created_at`` and
    ``updated_at``, sum of ``version`` — in one statement: what every refused write is checked
    against (the full :func:`snapshot` is taken around each batch of them)."""
    from sqlalchemy import String, cast, literal, union_all

    parts = []
    for table in tenant_tables():
        if table.name in skip:
            continue
        columns = [literal(table.name).label("t"), cast(func.count(), String).label("n")]
        for name in ("created_at", "updated_at", "version"):
            aggregate = func.sum if name == "version" else func.max
            value = cast(aggregate(table.c[name]), String) if name in table.c else literal("")
            columns.append(value.label(name))
        parts.append(select(*columns).where(table.c.tenant_id == tenant_id))
    if db.session().in_transaction():
        db.session.commit()
    with tenant_context(tenant_id):
        rows = db.session.execute(union_all(*parts)).all()
        db.session.commit()
    return {row[0]: tuple(row[1:]) for row in rows}


class Watch:
    """A city's :func:`fingerprint`, carried forward: :meth:`moved` names the tables changed
    since the last look (one statement a look, so every refused request can be checked)."""

    def __init__(self, tenant_id: int, skip: tuple[str, ...] = ()):
        self.tenant_id, self.skip = tenant_id, skip
        self.last = fingerprint(tenant_id, skip)

    def moved(self) -> list[str]:
        now = fingerprint(self.tenant_id, self.skip)
        found, self.last = changed(self.last, now), now
        return found
