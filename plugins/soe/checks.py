"""The SOE rules themselves, as plain functions shared by the indicators, the warnings and the
API, so a matter flagged in the register is the one the indicator counts and the warning
names.

* :func:`reviewed_in_time` — was a decided matter studied by the Party committee first
  (前置研究讨论), at least ``min_days`` days before the decision?
* :func:`appointment_items` — the cross-appointment checklist (双向进入、交叉任职) of one
  enterprise from its current posts, person by person (one person may hold them in several
  rows): 书记、董事长一肩挑 (with a board, when expected), Party
  committee members on the board or in management, a full-time deputy secretary (from the
  headcount set). Items that do not apply are left out.
* :func:`charter_items` — the charter checklist (党建入章).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from plugins.soe.attributes import amended_on
from plugins.soe.models import BOARD_POSTS, MANAGEMENT_POSTS

SECRETARY_CHAIRMAN = "党委书记、董事长一肩挑"
TWO_WAY = "党委委员进入董事会、经理层"
FULL_TIME_DEPUTY = "按规定配备专职副书记"
APPOINTMENT_ITEMS = (SECRETARY_CHAIRMAN, TWO_WAY, FULL_TIME_DEPUTY)

CHARTER_WRITTEN = "党建工作要求写入公司章程"
CHARTER_CLAUSE = "章程明确党委前置研究讨论程序"
CHARTER_DATED = "章程修订日期已登记"
CHARTER_ITEMS = (CHARTER_WRITTEN, CHARTER_CLAUSE, CHARTER_DATED)

SEAT_POSTS = BOARD_POSTS + MANAGEMENT_POSTS


def reviewed_in_time(reviewed_on: date | None, decided_on: date | None, min_days: int) -> bool:
    """True when the matter was studied ``min_days`` or more days before it was decided (0:
    on the same day or earlier). A matter not decided has nothing to be late for."""
    if decided_on is None:
        return True
    return reviewed_on is not None and reviewed_on <= decided_on - timedelta(days=min_days)


def review_problem(reviewed_on: date | None, decided_on: date | None, min_days: int) -> str | None:
    """Why a decided matter is flagged, in Chinese, or None."""
    if reviewed_in_time(reviewed_on, decided_on, min_days):
        return None
    if reviewed_on is None:
        return "未经党委前置研究讨论"
    if reviewed_on > decided_on:
        return "决策后才提交党委研究"
    return f"党委研究距决策不足 {min_days} 天"


def _people(posts: Iterable[tuple]) -> dict:
    """``{person: (party posts, business posts)}``: one person may hold their posts in
    several rows (a secretary who became chairman later)."""
    people: dict = {}
    for person, party_post, business_post in posts:
        party, business = people.setdefault(person, (set(), set()))
        if party_post is not None:
            party.add(party_post)
        if business_post is not None:
            business.add(business_post)
    return people


def cross_count(posts: Iterable[tuple]) -> int:
    """People on the Party committee, other than the secretary, who sit on the board or in
    management. ``posts``: current ``(person, party_post, business_post)`` rows."""
    return sum(1 for party, business in _people(posts).values()
               if party and "secretary" not in party and business & set(SEAT_POSTS))


def appointment_items(attributes: Mapping | None, posts: Iterable[tuple],
                      params: Mapping) -> dict[str, bool]:
    """The checklist from the enterprise's attributes and its current ``(person, party_post,
    business_post)`` rows (``person``: the member id, else the name). ``params``:
    ``secretary_chairman`` (bool), ``full_time_deputy_from_employees`` (int),
    ``min_cross_members`` (int)."""
    attributes = attributes or {}
    posts = list(posts)
    people = _people(posts)
    items: dict[str, bool] = {}
    if params["secretary_chairman"] and attributes.get("has_board"):
        items[SECRETARY_CHAIRMAN] = any("secretary" in party and "chairman" in business
                                        for party, business in people.values())
    items[TWO_WAY] = cross_count(posts) >= params["min_cross_members"]
    employees = attributes.get("employees")
    if employees is not None and employees >= params["full_time_deputy_from_employees"]:
        items[FULL_TIME_DEPUTY] = any("full_time_deputy_secretary" in party for party, _ in people.values())
    return items


def charter_items(attributes: Mapping | None, as_of: date) -> dict[str, bool]:
    """The charter checklist as the attributes say now; the amendment counts when recorded
    and made by ``as_of``."""
    attributes = attributes or {}
    amended = amended_on(attributes)
    return {
        CHARTER_WRITTEN: attributes.get("charter_includes_party_building") is True,
        CHARTER_CLAUSE: attributes.get("charter_prior_review_clause") is True,
        CHARTER_DATED: amended is not None and amended <= as_of,
    }
