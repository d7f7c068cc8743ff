"""The demo city's organisation tree and users: plausible, small, every sector present."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from core.auth import service as auth_service
from core.auth.models import User
from core.auth.passwords import generate_password
from core.db import db
from core.members import service as members_service
from core.members.idcard import check_char
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.seed.names import JOBS

# (code, name, kind, sector, parent code)
DEMO_TREE = [
    ("SZ", "示范市委", "committee", None, None),
    ("SZ-QS", "青山县委", "committee", None, "SZ"),
    ("SZ-QS-TY", "桃源镇党委", "committee", "rural", "SZ-QS"),
    ("SZ-QS-TY-01", "桃源村党支部", "branch", "rural", "SZ-QS-TY"),
    ("SZ-QS-TY-02", "李家村党支部", "branch", "rural", "SZ-QS-TY"),
    ("SZ-QS-XF", "幸福街道党工委", "committee", "community", "SZ-QS"),
    ("SZ-QS-XF-01", "幸福社区党委", "committee", "community", "SZ-QS-XF"),
    ("SZ-QS-XF-01-1", "幸福社区第一网格党支部", "branch", "community", "SZ-QS-XF-01"),
    ("SZ-JG", "市直机关工委", "committee", "organs", "SZ"),
    ("SZ-JG-CZ", "市财政局机关党支部", "branch", "organs", "SZ-JG"),
    ("SZ-LX", "市非公有制经济组织和社会组织党委", "committee", "two_new", "SZ"),
    ("SZ-LX-XG", "星光科技有限公司党支部", "branch", "two_new", "SZ-LX"),
    ("SZ-GZ", "市国资委党委", "committee", "soe", "SZ"),
    ("SZ-GZ-CT", "市城投集团党委", "committee", "soe", "SZ-GZ"),
    ("SZ-GZ-CT-01", "市城投集团第一党支部", "branch", "soe", "SZ-GZ-CT"),
]

# Branches whose members all joined years ago (李家村: "3 years without recruiting").
NO_RECENT_RECRUITS = {"SZ-QS-TY-02"}
# Members working away from home (流动党员): (branch code, position in the branch, where to,
# since) — villages send people to the cities.
MOBILE = (
    ("SZ-QS-TY-01", 3, "浙江省宁波市（外出务工）", date(2026, 4, 1)),
    ("SZ-QS-TY-02", 2, "广东省深圳市（外出务工）", date(2025, 9, 1)),
    ("SZ-QS-TY-02", 4, "江苏省苏州市（外出经商）", date(2026, 2, 15)),
)

# (username, display name, role, org code or None for tenant-wide)
DEMO_USERS = [
    ("admin", "市委组织部管理员", "tenant_admin", None),
    ("qingshan", "青山县委组织部", "org_manager", "SZ-QS"),
    ("taoyuan", "桃源村党支部书记", "branch_secretary", "SZ-QS-TY-01"),
    ("dangyuan", "桃源村党员", "member", "SZ-QS-TY-01"),  # the account of a register member
    ("operator", "平台运维", "platform_operator", None),
]
# Demo users who are members of the register: their account is linked to the youngest full
# or probationary member of their organisation (ranked for points, unlike the eldest).
MEMBER_ACCOUNTS = ("dangyuan",)


def ensure_tree() -> int:
    """Create the demo organisations that are missing; returns how many were created."""
    existing = {o.code: o for o in db.session.scalars(select(Organization))}
    created = 0
    for code, name, kind, sector, parent_code in DEMO_TREE:
        if code in existing:
            continue
        parent = existing[parent_code] if parent_code else None
        existing[code] = orgs.create(name=name, code=code, kind=kind, parent=parent, sector=sector)
        created += 1
    db.session.flush()
    return created


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "秀英", "志强", "丽娟", "海燕", "文军", "春梅", "明辉", "晓东", "桂兰", "红霞", "伟", "静", "磊", "敏"]
EDUCATION = ("bachelor", "college", "high_school", "junior_or_below", "postgraduate", "secondary_vocational")


def _demo_id_number(birth: date, gender: str, serial: int) -> str:
    # 320102: a real region code (南京市玄武区); the 17th digit's parity carries the gender.
    order = serial * 2 + (1 if gender == "male" else 0)
    first17 = f"320102{birth:%Y%m%d}{order % 1000:03d}"
    return first17 + check_char(first17)


def _demo_job(sector: str | None, birth: date, i: int) -> str:
    """人员类别 for 党内统计: retired before 1965, else the sector's categories in turn (no
    draw from the demo's random sequence, so every other value stays as it was)."""
    if birth.year < 1965:
        return "离退休人员"
    jobs = JOBS.get(sector or "", ("其他职业人员",))
    return jobs[i % len(jobs)]


def ensure_members(per_branch: int = 8) -> int:
    """A few plausible members in every demo branch (skipped when the register has any)."""
    if db.session.scalar(select(Member.id).limit(1)) is not None:
        return 0
    rng = random.Random(20261121)  # the same demo every time
    branches = db.session.scalars(
        select(Organization).where(Organization.kind == "branch").order_by(Organization.code)
    ).all()
    created = 0
    for b, branch in enumerate(branches):
        for i in range(per_branch):
            gender = "male" if rng.random() < 0.7 else "female"
            birth = date(rng.randint(1950, 1998), rng.randint(1, 12), rng.randint(1, 28))
            joined = date(birth.year + rng.randint(20, 30), rng.randint(1, 12), 1)
            probationary = joined.year >= 2025 or i == per_branch - 1
            if branch.code in NO_RECENT_RECRUITS:  # a village that has not recruited for years
                probationary, joined = False, min(joined, date(2019, 6, 1))
            if probationary:
                joined = date(2026, 3, 1)
            members_service.create_member(
                {
                    "org_id": branch.id,
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "gender": gender,
                    "ethnicity": "汉族" if rng.random() < 0.9 else "回族",
                    "birth_date": birth,
                    "id_number": _demo_id_number(birth, gender, b * 50 + i),
                    "phone": f"139{rng.randint(10000000, 99999999)}",
                    "education": rng.choice(EDUCATION),
                    "joined_on": joined,
                    "full_on": None if probationary else date(joined.year + 1, joined.month, 1),
                    "is_retired": birth.year < 1965,
                    "is_farmer": branch.sector == "rural",
                    "job": _demo_job(branch.sector, birth, i),
                }
            )
            created += 1
    db.session.flush()
    return created


def ensure_mobile_members() -> int:
    """A few members working away (流动党员), recorded as status changes (once)."""
    if db.session.scalar(select(Member.id).where(Member.status == "mobile").limit(1)):
        return 0
    changed = 0
    for code, position, destination, since in MOBILE:
        branch = orgs.by_code(code)
        if branch is None:
            continue
        people = db.session.scalars(
            select(Member).where(Member.org_id == branch.id, Member.status == "full")
            .order_by(Member.joined_on, Member.name)
        ).all()
        if len(people) > position:
            members_service.change_status(people[position], "mobile", since, "外出务工经商",
                                          mobile_destination=destination)
            changed += 1
    db.session.flush()
    return changed


def ensure_users() -> dict[str, str]:
    """Create the demo users, or give existing ones a new password; returns username → password."""
    orgs_by_code = {o.code: o for o in db.session.scalars(select(Organization))}
    passwords = {}
    for username, display_name, role, org_code in DEMO_USERS:
        password = generate_password()
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = auth_service.create_user(username, password, display_name=display_name)
            db.session.flush()
            auth_service.grant(user, role, orgs_by_code.get(org_code) if org_code else None)
            if username in MEMBER_ACCOUNTS:
                _link_first_member(user, orgs_by_code[org_code])
        else:
            auth_service.set_password(user, password)
        passwords[username] = password
    db.session.flush()
    return passwords


def _link_first_member(user: User, org: Organization) -> None:
    member = db.session.scalar(
        select(Member).where(Member.org_id == org.id, Member.status.in_(("full", "probationary")))
        .order_by(Member.birth_date.desc(), Member.name).limit(1)  # a working-age member: ranked
    )
    if member is not None:
        auth_service.link_member(user, member.id)


def ensure_sector_data(today: date | None = None) -> list[tuple[str, str]]:
    """Each enabled plugin's demo data (``dangjian_demo_data``), after the tree and members;
    returns ``(plugin, what it added)`` for those that said. A plugin the tenant has not
    enabled is not called."""
    from core.plugins import service as plugin_service
    from core.plugins.manager import get_manager, installed_plugins

    today = today or date.today()
    skipped = set(installed_plugins()) - plugin_service.enabled_plugins()
    said = []
    for impl in get_manager().hook.dangjian_demo_data.get_hookimpls():
        if impl.plugin_name in skipped:
            continue
        added = impl.function(today=today)
        if added:
            said.append((impl.plugin_name, str(added)))
    return said
