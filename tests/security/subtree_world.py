"""A city built to prove subtree scope (issue 9): what a branch secretary and a committee
secretary must never see or change outside their part of the tree.

The tree (codes; sector in brackets)::

    R 市委
    ├── C1 一镇党委 [rural]            ← the committee secretary (org_manager) holds C1
    │   ├── B1 一村党支部 [rural]      ← the branch secretary holds B1
    │   │   └── B1G 一村第一党小组     (nested: inside B1's subtree)
    │   └── B2 二村党支部 [rural]
    │       └── B2G 二村第一党小组
    └── C2 二街道党工委 [community]
        └── B3 三社区党支部 [community]

Every branch (and C1 where it makes sense) gets members, meetings, an election, a finance
role, dues paid, an applicant in development, a problem, a weak-organisation designation,
points entries and rural or community records; a transfer letter moves a member of B2 to B3;
a sweep raises warnings. Everything is written through the public API by a tenant
administrator, so the world holds exactly what users could have written.

:class:`World` then says, for each viewer, which ids and names are *foreign*: any of them in
an answer is a leak. The ancestors R and C1 are not foreign to the branch secretary as
organisations (a record of B1 may name its parent), but records kept by them are.
"""

from __future__ import annotations

import io
import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.members import service as members_service
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from tests.members.helpers import make_id_number, member_data
from tests.support.auth import DEFAULT_PASSWORD

TODAY = date.today()
THIS_MONTH = f"{TODAY:%Y-%m}"
NEXT_MONTH = f"{(TODAY.replace(day=1) + timedelta(days=32)):%Y-%m}"
LAST_YEAR = TODAY.year - 1
FOUNDED = date(2000, 1, 1)
# five-year terms (village and community organisations) that end within 90 days: a regular
# election may be recorded today
_SOON = TODAY + timedelta(days=30)
TERM_STARTED = _SOON.replace(year=_SOON.year - 5, day=min(_SOON.day, 28))

# (code, name, kind, sector, parent)
TREE = [
    ("R", "示范市委", "committee", None, None),
    ("C1", "一镇党委", "committee", "rural", "R"),
    ("B1", "一村党支部", "branch", "rural", "C1"),
    ("B1G", "一村第一党小组", "group", "rural", "B1"),
    ("B2", "二村党支部", "branch", "rural", "C1"),
    ("B2G", "二村第一党小组", "group", "rural", "B2"),
    ("C2", "二街道党工委", "committee", "community", "R"),
    ("B3", "三社区党支部", "branch", "community", "C2"),
]
# Members by organisation: names unique in the whole world, so a name in an answer says
# exactly which member leaked.
MEMBERS = {
    "B1": ["赵一甲", "钱一乙", "秦一流"],
    "B1G": ["孙一组"],
    "B2": ["李二甲", "周二乙", "尤二流"],
    "B2G": ["吴二组"],
    "B3": ["郑三甲", "冯三乙"],
}
MOBILE = {"秦一流", "尤二流"}  # working away from home (流动党员)
BRANCHES = ("B1", "B2", "B3")
# every sector plugin is enabled, so each of their routes answers (not "no such plugin")
PLUGINS = ("rural", "community", "organs", "two_new", "soe")
# people named in records (person names take Chinese characters only): code → name
APPLICANTS = {"B1": "陈一申", "B2": "褚二申", "B3": "卫三申"}
ACCOUNTANTS = {"B1": "蒋一会", "B2": "沈二会", "B3": "韩三会"}
FIRST_SECRETARIES = {"B1": "杨一驻", "B2": "朱二驻"}
SUBTREES = {"B1": {"B1", "B1G"}, "C1": {"C1", "B1", "B1G", "B2", "B2G"}}
ANCESTORS = {"B1": {"R", "C1"}, "C1": {"R"}}

_sequence = itertools.count(101)
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Record:
    """One row the world wrote: what it is, its id, the organisation keeping it."""

    kind: str
    id: str
    org: str
    label: str = ""


@dataclass
class World:
    tenant_id: int
    slug: str
    host: str
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    members: dict[str, uuid.UUID] = field(default_factory=dict)  # name → id
    member_org: dict[str, str] = field(default_factory=dict)  # name → org code
    id_numbers: dict[str, str] = field(default_factory=dict)  # name → ID number
    records: list[Record] = field(default_factory=list)
    headers: dict[str, dict] = field(default_factory=dict)  # admin, B1, C1 → API headers
    usernames: dict[str, str] = field(default_factory=dict)  # admin, B1, C1 → username
    jobs: dict[str, str] = field(default_factory=dict)  # what → job id (started by admin)
    cycle_id: str = ""

    # -- what each viewer (``"B1"``: the branch secretary, ``"C1"``: the committee one) sees
    def inside(self, viewer: str) -> set[str]:
        return SUBTREES[viewer]

    def parent_code(self, viewer: str) -> str:
        return next(parent for code, _n, _k, _s, parent in TREE if code == viewer)

    def outside_orgs(self, viewer: str) -> list[str]:
        """Organisation codes the viewer must not see (ancestors excluded)."""
        return [c for c, *_ in TREE if c not in SUBTREES[viewer] | ANCESTORS[viewer]]

    def unseen_orgs(self, viewer: str) -> list[str]:
        """Every organisation outside the viewer's subtree, ancestors included: none may be
        chosen as an organisation to read from or write to."""
        return [c for c, *_ in TREE if c not in SUBTREES[viewer]]

    def outside_members(self, viewer: str) -> list[str]:
        return [n for n, org in self.member_org.items() if org not in SUBTREES[viewer]]

    def inside_members(self, viewer: str) -> list[str]:
        return [n for n, org in self.member_org.items() if org in SUBTREES[viewer]]

    def outside_records(self, viewer: str, kind: str | None = None) -> list[Record]:
        return [
            r
            for r in self.records
            if r.org not in SUBTREES[viewer] and (kind is None or r.kind == kind)
        ]

    def inside_records(self, viewer: str, kind: str | None = None) -> list[Record]:
        return [
            r
            for r in self.records
            if r.org in SUBTREES[viewer] and (kind is None or r.kind == kind)
        ]

    def record(self, kind: str, org: str) -> Record:
        [found] = [r for r in self.records if r.kind == kind and r.org == org][:1]
        return found

    def foreign_tokens(self, viewer: str) -> dict[str, str]:
        """``{text: what it is}`` that must never appear in an answer to ``viewer``."""
        tokens = {}
        for code in self.outside_orgs(viewer):
            org_id = self.orgs[code]
            tokens[str(org_id)] = f"org {code} id"
            tokens[org_id.hex] = f"org {code} id (hex, as in paths)"
            tokens[dict((c, n) for c, n, *_ in TREE)[code]] = f"org {code} name"
        for name in self.outside_members(viewer):
            tokens[str(self.members[name])] = f"member {name} id"
            tokens[name] = f"member {name} name"
            tokens[self.id_numbers[name]] = f"member {name} ID number"
        for record in self.outside_records(viewer):
            tokens[record.id] = f"{record.kind} of {record.org} id"
            if record.label:
                tokens[record.label] = f"{record.kind} of {record.org} label"
        return tokens


def leaks(text: str, tokens: dict[str, str]) -> list[str]:
    """What of ``tokens`` appears in ``text`` (an answer's body)."""
    return sorted(what for token, what in tokens.items() if token in text)


def body_text(response) -> str:
    """A response body as text: an .xlsx is read cell by cell, anything else decoded."""
    data = response.get_data()
    if data[:2] == b"PK":
        return "\n".join(
            "\t".join(str(c) for c in row if c is not None) for _sheet, row in xlsx_rows(data)
        )
    return data.decode("utf-8", "replace")


def xlsx_rows(data: bytes):
    """``(sheet name, row values)`` for every row of every sheet of an .xlsx."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield sheet.title, row
    finally:
        book.close()


# -- building ------------------------------------------------------------------------------
def _ok(response, *codes):
    codes = codes or (200, 201, 202)
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True))
    return response.get_json()


def create_requests(world: World, code: str, mark: str = "") -> list[tuple]:
    """``(kind, method, path, json, label)``: what the world writes for organisation
    ``code`` (a branch), valid bodies; ``mark`` (Chinese characters) makes names and texts
    new, so the same requests can be tried again by someone who must be refused."""
    org_id = str(world.orgs[code])
    names = MEMBERS.get(code, [])
    members = [str(world.members[n]) for n in names]
    requests = [
        (
            "meeting",
            "POST",
            "/meetings",
            {
                "org_id": org_id,
                "kind": "theme_day",
                "held_on": TODAY.isoformat(),
                "topic": f"{code}主题党日议题{mark}",
                "present_member_ids": members[:1],
            },
            f"{code}主题党日议题{mark}",
        ),
        ("election", "POST", "/elections", {"org_id": org_id, "held_on": TODAY.isoformat()}, ""),
        (
            "finance_role",
            "POST",
            "/dues/finance-roles",
            {
                "org_id": org_id,
                "role": "accountant" if not mark else "cashier",
                "since": "2024-01-01",
                "person_name": ACCOUNTANTS.get(code, "邹委会") + mark,
            },
            ACCOUNTANTS.get(code, "邹委会") + mark,
        ),
    ]
    for name, member_id in zip(names, members, strict=True):
        if not mark:
            requests.append(
                (
                    "dues_base",
                    "PUT",
                    f"/dues/bases/{member_id}",
                    {"effective_from": "2000-01", "base": "4000"},
                    "",
                )
            )
        requests += [
            (
                "payment",
                "POST",
                "/dues/payments",
                {
                    "member_id": member_id,
                    "month": THIS_MONTH if not mark else NEXT_MONTH,
                    "channel": "wechat",
                },
                "",
            ),
            (
                "points_entry",
                "POST",
                "/points/entries",
                {
                    "member_id": member_id,
                    "rule_key": "points.volunteering",
                    "occurred_on": TODAY.isoformat(),
                    "evidence": f"{name}志愿服务记录{mark}",
                },
                f"{name}志愿服务记录{mark}",
            ),
        ]
    number = make_id_number(date(1998, 1, 1) + timedelta(days=next(_sequence)), "male")
    requests += [
        (
            "development",
            "POST",
            "/development",
            {
                "org_id": org_id,
                "name": APPLICANTS.get(code, "邹委申") + mark,
                "ethnicity": "汉族",
                "id_number": number,
                "phone": "13912345678",
                "education": "bachelor",
                "applied_on": (TODAY - timedelta(days=20)).isoformat(),
                "evidence": "入党申请书",
            },
            APPLICANTS.get(code, "邹委申") + mark,
        ),
        (
            "problem",
            "POST",
            "/problems",
            {
                "org_id": org_id,
                "source": "inspection",
                "category": "组织生活",
                "title": f"{code}问题清单条目{mark}",
                "description": "主题党日无会议记录",
                "severity": "general",
                "deadline": (TODAY + timedelta(days=30)).isoformat(),
                "responsible_name": "张三",
            },
            f"{code}问题清单条目{mark}",
        ),
        (
            "weak_org",
            "POST",
            "/problems/weak-orgs",
            {
                "org_id": org_id,
                "year": LAST_YEAR if not mark else LAST_YEAR - 1,
                "reason_category": "组织生活不正常",
                "description": f"{code}软弱涣散情形{mark}",
                "rectification_plan": "三个月内完成整顿",
                "leader_name": "王局长",
                "instructor_name": "赵指导员",
            },
            f"{code}软弱涣散情形{mark}",
        ),
    ]
    return requests


def rural_requests(world: World, code: str, mark: str = "") -> list[tuple]:
    """``(kind, method, path, json, label)`` of the rural records of village ``code``."""
    org_id = str(world.orgs[code])
    member = str(world.members[MEMBERS[code][1]])
    mobile = str(world.members[MEMBERS[code][2]])
    return [
        (
            "rural_income",
            "POST",
            "/rural/incomes",
            {
                "org_id": org_id,
                "year": LAST_YEAR if not mark else LAST_YEAR - 1,
                "operating_income_wan": "6.5",
                "total_income_wan": "30",
                "note": f"{code}集体收入备注{mark}",
            },
            f"{code}集体收入备注{mark}",
        ),
        (
            "rural_stationing",
            "POST",
            "/rural/stationings",
            {
                "org_id": org_id,
                "person_name": FIRST_SECRETARIES[code] + mark,
                "role": "first_secretary",
                "dispatched_by": "市农业农村局",
                "phone": "0731-8866001",
                "started_on": "2024-06-01",
            },
            FIRST_SECRETARIES[code] + mark,
        ),
        (
            "rural_duty",
            "POST",
            "/rural/duties",
            {
                "org_id": org_id,
                "member_id": member,
                "duty": f"{code}政策宣传岗{mark}",
                "started_on": "2024-01-01",
            },
            f"{code}政策宣传岗{mark}",
        ),
        (
            "rural_contact",
            "POST",
            "/rural/mobile-contacts",
            {
                "org_id": org_id,
                "member_id": mobile,
                "contacted_on": TODAY.isoformat(),
                "channel": "phone",
                "note": f"{code}流动党员联系内容{mark}",
            },
            f"{code}流动党员联系内容{mark}",
        ),
    ]


def community_requests(world: World, code: str, mark: str = "") -> list[tuple]:
    """``(kind, method, path, json, label)`` of the community records of ``code``."""
    org_id = str(world.orgs[code])
    return [
        (
            "community_grid",
            "POST",
            "/community/grids",
            {"org_id": org_id, "name": f"{code}第一网格{mark}", "households": 420},
            f"{code}第一网格{mark}",
        ),
        (
            "community_company",
            "POST",
            "/community/property-companies",
            {"org_id": org_id, "name": f"{code}红色物业公司{mark}"},
            f"{code}红色物业公司{mark}",
        ),
        (
            "community_registration",
            "POST",
            "/community/registrations",
            {
                "org_id": org_id,
                "person_name": "许三报" + mark,
                "work_unit": "市交通局",
                "registered_on": TODAY.isoformat(),
            },
            "许三报" + mark,
        ),
    ]


def build_world(*, client, tenant, in_tenant, auth_headers, run_jobs) -> World:
    from sqlalchemy import inspect

    tenant_id = inspect(tenant).identity[0]
    slug = tenant.slug
    host = (tenant.hosts or [f"{slug}.test"])[0]
    world = World(tenant_id=tenant_id, slug=slug, host=host)
    with in_tenant(tenant_id):
        for plugin in PLUGINS:
            plugin_service.set_enabled(plugin, True)
        made = {}
        for code, name, kind, sector, parent in TREE:
            made[code] = orgs.create(
                name=name,
                code=code,
                kind=kind,
                sector=sector,
                parent=made.get(parent),
                founded_on=FOUNDED,
                term_started_on=TERM_STARTED,
            )
        db.session.flush()
        world.orgs = {code: org.id for code, org in made.items()}
        for code, names in MEMBERS.items():
            for name in names:
                number = make_id_number(date(1985, 1, 1) + timedelta(days=next(_sequence)), "male")
                extra = (
                    {
                        "status": "mobile",
                        "mobile_since": "2024-03-01",
                        "mobile_destination": "浙江省宁波市",
                    }
                    if name in MOBILE
                    else {}
                )
                member = members_service.create_member(
                    MemberInputSchema().load(
                        member_data(world.orgs[code], name=name, id_number=number, **extra)
                    )
                )
                world.members[name] = member.id
                world.member_org[name] = code
                world.id_numbers[name] = number
        db.session.commit()

    admin = auth_headers(tenant_id, username="w_admin")
    world.headers = {
        "admin": admin,
        "B1": auth_headers(
            tenant_id, role="branch_secretary", org=world.orgs["B1"], username="w_sec_b1"
        ),
        "C1": auth_headers(
            tenant_id, role="org_manager", org=world.orgs["C1"], username="w_mgr_c1"
        ),
    }
    world.usernames = {"admin": "w_admin", "B1": "w_sec_b1", "C1": "w_mgr_c1"}

    def add(kind, org, response, label=""):
        body = _ok(response)
        for row in body if isinstance(body, list) else [body]:
            world.records.append(Record(kind, row["id"], org, label))
        return body

    def post(path, json):
        return client.post(f"/api/v1{path}", json=json, headers=admin)

    for code in BRANCHES:
        for kind, method, path, json, label in create_requests(world, code):
            if kind == "dues_base":
                _ok(client.put(f"/api/v1{path}", json=json, headers=admin))
            else:
                add(
                    kind,
                    code,
                    client.open(f"/api/v1{path}", method=method, json=json, headers=admin),
                    label,
                )
    # a problem kept by the committee: outside the branch secretary's subtree, inside C1's
    add(
        "problem",
        "C1",
        post(
            "/problems",
            {
                "org_id": str(world.orgs["C1"]),
                "source": "inspection",
                "category": "组织生活",
                "title": "C1问题清单条目",
                "description": "党委会记录不全",
                "severity": "general",
                "deadline": (TODAY + timedelta(days=30)).isoformat(),
                "responsible_name": "李四",
            },
        ),
        "C1问题清单条目",
    )
    add(
        "meeting",
        "C1",
        post(
            "/meetings",
            {
                "org_id": str(world.orgs["C1"]),
                "kind": "committee_meeting",
                "held_on": TODAY.isoformat(),
                "topic": "C1党委会议题",
            },
        ),
        "C1党委会议题",
    )

    for code in ("B1", "B2"):
        for kind, method, path, json, label in rural_requests(world, code):
            add(
                kind,
                code,
                client.open(f"/api/v1{path}", method=method, json=json, headers=admin),
                label,
            )
    # community records (B3: outside both secretaries)
    for kind, method, path, json, label in community_requests(world, "B3"):
        add(
            kind,
            "B3",
            client.open(f"/api/v1{path}", method=method, json=json, headers=admin),
            label,
        )
    # a transfer letter outside both secretaries' subtrees (B3 → C2): its code is on paper,
    # and someone holding a copy must still not be able to take the member in
    letter = _ok(
        post(
            "/transfers",
            {
                "member_id": str(world.members["郑三甲"]),
                "reason": "工作调动",
                "to_org_id": str(world.orgs["C2"]),
            },
        )
    )
    world.records.append(Record("transfer", letter["id"], "B3", letter.get("code") or ""))

    # an assessment cycle over the whole city, run and published: results per organisation
    standard = _ok(
        post(
            "/standards",
            {
                "name": "支部考核标准",
                "kinds": ["branch"],
                "items": [
                    {"indicator": "dues.paid_rate", "weight": 50},
                    {"indicator": "life.attendance_rate", "weight": 50},
                ],
            },
        )
    )
    cycle = _ok(
        post(
            "/cycles",
            {
                "name": "年度考核",
                "period": "year",
                "year": TODAY.year,
                "root_org_id": str(world.orgs["R"]),
                "standard_ids": [standard["id"]],
            },
        )
    )
    world.cycle_id = cycle["id"]
    world.jobs["cycle"] = _ok(post(f"/cycles/{cycle['id']}/run", {}))["id"]
    run_jobs()
    _ok(post(f"/cycles/{cycle['id']}/publish", {}))

    # warnings: a sweep by the administrator (a job of theirs, with a result)
    sweep = _ok(client.post("/api/v1/warnings/sweep", json={}, headers=admin))
    world.jobs["sweep"] = sweep["id"]
    run_jobs()
    for warning in _ok(client.get("/api/v1/warnings?page_size=500", headers=admin)):
        code = next(c for c, org_id in world.orgs.items() if str(org_id) == warning["org_id"])
        world.records.append(Record("warning", warning["id"], code))
    assert {r.org for r in world.records if r.kind == "warning"} & {"B1", "B1G"}, (
        "the sweep raised no warning inside B1: the world cannot show that lists work"
    )
    return world


def count_rows(in_tenant, tenant_id, model) -> int:
    with in_tenant(tenant_id):
        return db.session.scalar(select(func.count()).select_from(model))


class WebSession:
    """The web app through a test client, logged in through the real form."""

    CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def __init__(self, client, host: str):
        self.client = client
        self.host = host

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers={"Host": self.host}, **kwargs)

    def csrf(self, page: str) -> str:
        found = self.CSRF.search(self.get(page).get_data(as_text=True))
        assert found, f"{page} has no CSRF token"
        return found.group(1)

    def post(self, path: str, data: dict | None = None, *, form_page: str, **kwargs):
        token = self.csrf(form_page)
        return self.client.post(
            path, data={"csrf_token": token, **(data or {})}, headers={"Host": self.host}, **kwargs
        )

    @classmethod
    def log_in(cls, app, host: str, username: str) -> WebSession:
        session = cls(app.test_client(), host)
        done = session.post(
            "/login", {"username": username, "password": DEFAULT_PASSWORD}, form_page="/login"
        )
        assert done.status_code == 302, done.get_data(as_text=True)
        return session


# Tables a refused request may still touch: the caller's own token (its last use).
SNAPSHOT_SKIPS = ("api_tokens",)


def snapshot(in_tenant, tenant_id) -> dict[str, list]:
    """Every row of every table, as text, sorted: two snapshots are equal when nothing was
    written in between (the caller's token and login bookkeeping aside)."""
    rows = {}
    with in_tenant(tenant_id):
        for table in db.metadata.sorted_tables:
            if table.name in SNAPSHOT_SKIPS:
                continue
            rows[table.name] = sorted(repr(tuple(r)) for r in db.session.execute(table.select()))
        db.session.rollback()
    return rows


def changes(before: dict, after: dict) -> dict[str, int]:
    """``{table: rows added or changed}`` between two snapshots."""
    found = {}
    for name in after:
        old, new = set(before.get(name, ())), set(after[name])
        if old != new:
            found[name] = len(new ^ old)
    return found
