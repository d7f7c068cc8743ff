"""The navigation bar: what each user may open, by the roles they hold.

Every screen group has its entry here, so the bar's order is decided in one place; an entry
whose view is not registered (a screen group not installed) is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.auth.permissions import has_role


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: object  # a lazy translation
    role: str  # the least role (anywhere in the tenant) that opens it
    # endpoints (prefixes) of the screens under this entry, for highlighting it
    covers: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        endpoint = endpoint or ""
        return any(endpoint == prefix or endpoint.startswith(prefix + "_")
                   for prefix in (self.endpoint, *self.covers))


ITEMS = (
    Item("web.dashboard", _l("Dashboard"), "member"),
    Item("web.org_tree", _l("Organisations"), "member", ("web.org",)),
    Item("web.member_list", _l("Member register"), "branch_secretary", ("web.member",)),
    Item("web.work", _l("Daily work"), "branch_secretary"),
    Item("web.warning_list", _l("Warnings"), "branch_secretary", ("web.warning",)),
    Item("web.problem_list", _l("Problems"), "branch_secretary", ("web.problem",)),
    Item("web.cycle_list", _l("Assessment"), "org_manager", ("web.cycle",)),
    Item("web.ranking", _l("Red and black list"), "member"),
    Item("web.yearly", _l("Yearly work"), "member",
         ("web.review", "web.brand", "web.pairing", "web.statistics")),
    Item("web.imports", _l("Import and export"), "branch_secretary", ("web.exports",)),
    Item("web.admin", _l("Administration"), "tenant_admin"),
    Item("web.my_card", _l("My card"), "member"),
    Item("web.tenant_switch", _l("Switch city"), "platform_operator"),
)


def items_for(user) -> list[Item]:
    if user is None:
        return []
    registered = current_app.view_functions
    return [item for item in ITEMS if item.endpoint in registered and has_role(item.role)]
