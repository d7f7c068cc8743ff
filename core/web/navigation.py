"""The navigation bar: what each user may open, by the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.auth.permissions import has_role


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: object  # a lazy translation
    role: str  # the least role (anywhere in the tenant) that opens it


ITEMS = (
    Item("web.dashboard", _l("Dashboard"), "member"),
    Item("web.org_tree", _l("Organisations"), "member"),
)


def items_for(user) -> list[Item]:
    if user is None:
        return []
    return [item for item in ITEMS if has_role(item.role)]
