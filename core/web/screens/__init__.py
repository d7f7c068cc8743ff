"""The screens of the web app, one module (or package) per screen group.

Every module here registers its views on :data:`core.web.blueprint.bp` when imported;
:func:`import_all` imports them all, so adding a screen group is adding a module.

* ``auth`` — login, logout; ``tenant_switch`` — platform operators change city.
* ``dashboard`` — the 工作台 of a subtree; ``orgs`` — tree browser and organisation page.
* ``members`` — member list, member page, the member's own QR page.
* ``work`` — daily work: meetings with attendance, dues, development steps, sector data.
* ``imports`` — Excel import with progress and per-row errors; exports.
* ``assessment`` — cycles (open, run, review, publish) and the 红黑榜.
* ``problems`` — the problems ledger and its workflow; ``warnings`` — open warnings.
* ``admin`` — tenant configuration: plugins, standards, stars, rules, users, audit log.
* ``jobs`` — a background job's progress page.
"""

from __future__ import annotations

import importlib
import pkgutil


def import_all() -> list[str]:
    """Import every screen module (their views register on the web blueprint)."""
    names = []
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        importlib.import_module(info.name)
        names.append(info.name)
    return names
