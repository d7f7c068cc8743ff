"""Masking personal fields, and who may see them in full.

Lists, detail views and exports show ``320102********1234`` / ``138****5678`` unless the caller
may see the member's personal data in full: a tenant administrator (or a platform operator),
or an ``org_manager`` / ``branch_secretary`` whose grant covers the member's organisation —
the people who keep that register. A ``member`` grant shows the roster, masked.

A member seeing their *own* record in full would need a link between a user account and a
member record; there is none yet, so a ``member``-role user sees every record masked
(including, for now, their own). When such a link exists, :func:`can_see_personal` is the one
place to teach it.
"""

from __future__ import annotations

from core.auth.permissions import has_role
from core.orgs.models import Organization

MASK = "*"
ELLIPSIS = "…"
ADDRESS_VISIBLE_CHARS = 6
# The lowest role that keeps a register, and so sees what it holds.
FULL_VIEW_ROLE = "branch_secretary"
PERSONAL_FIELDS = ("id_number", "phone", "address")


def mask_id_number(value: str | None) -> str | None:
    """``320102199003071234`` → ``320102********1234``: region kept, birth date hidden."""
    if not value:
        return value
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; ``025-83001234`` → ``025-****1234``."""
    if not value:
        return value
    if "-" in value:  # a landline: 区号-号码[-分机]; the extension is dropped
        area, number = value.split("-")[:2]
        return f"{area}-{MASK * max(len(number) - 4, 0)}{number[-4:]}"
    if len(value) <= 7:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_address(value: str | None) -> str | None:
    """The first few characters (the district, usually) and an ellipsis."""
    if not value:
        return value
    if len(value) <= ADDRESS_VISIBLE_CHARS:
        return value[: max(len(value) // 2, 1)] + ELLIPSIS
    return value[:ADDRESS_VISIBLE_CHARS] + ELLIPSIS


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


def mask_values(values: dict) -> dict:
    """A copy of ``values`` with every personal field present in it masked (for exports and
    API answers that build plain dicts)."""
    masked = dict(values)
    for key, masker in MASKERS.items():
        if key in masked:
            masked[key] = masker(masked[key])
    return masked


class _At:
    """Stands for an organisation known only by its path (has_role reads nothing else)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path


def can_see_personal(org: Organization | str) -> bool:
    """May the current user see personal fields of members of ``org`` (an organisation or
    its materialised ``path``) in full? No user (or no grants) → False.

    Reads the request's cached grants only: calling it once per listed member costs no query.
    """
    if org is None:
        return False
    return has_role(FULL_VIEW_ROLE, _At(org) if isinstance(org, str) else org)
