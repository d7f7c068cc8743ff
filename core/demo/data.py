"""The demo city's organisation tree and users: plausible, small, every sector present."""

from __future__ import annotations

from sqlalchemy import select

from core.auth import service as auth_service
from core.auth.models import User
from core.auth.passwords import generate_password
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization

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

# (username, display name, role, org code or None for tenant-wide)
DEMO_USERS = [
    ("admin", "市委组织部管理员", "tenant_admin", None),
    ("qingshan", "青山县委组织部", "org_manager", "SZ-QS"),
    ("taoyuan", "桃源村党支部书记", "branch_secretary", "SZ-QS-TY-01"),
]


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
        else:
            auth_service.set_password(user, password)
        passwords[username] = password
    db.session.flush()
    return passwords
