"""Subtree scope (issue 9): a branch secretary — and a committee secretary of a sub-committee —
reads and writes nothing outside their part of the tree: not through list filters, search,
paging, detail ids, statistics, exports, imports, job results or the audit log, in the API
and in the web app. The city is :mod:`tests.security.subtree_world`.

The list routes are taken from the OpenAPI document: :data:`LIST_PARAMS` says how each
organisation-like query parameter is tried, and
``test_every_org_like_query_parameter_of_the_api_is_exercised`` fails when a route grows one
this file does not try.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.security.subtree_world import (
    BRANCHES,
    TREE,
    UUID_TEXT,
    WebSession,
    World,
    body_text,
    build_world,
    community_requests,
    create_requests,
    leaks,
    rural_requests,
    xlsx_rows,
)

API = "/api/v1"
VIEWERS = ("B1", "C1")  # the branch secretary of B1, the committee secretary (org_manager) of C1
REFUSED = (403, 404)
# Pinyin initials of the members outside B1 (李二甲 周二乙 尤二流 吴二组 郑三甲 冯三乙):
# the member search takes initials too.
OUTSIDE_INITIALS = ("lej", "zey", "yel", "wez", "zsj", "fsy")


@pytest.fixture
def world(client, tenant, in_tenant, auth_headers, run_jobs) -> World:
    return build_world(
        client=client,
        tenant=tenant,
        in_tenant=in_tenant,
        auth_headers=auth_headers,
        run_jobs=run_jobs,
    )


# -- the list routes and how their scope-widening parameters are tried ------------------------
# How a parameter is tried:
#   org          every organisation outside the viewer's subtree (its ancestors included)
#   member       every member outside it            grid / designation: such records outside
#   q            outside names, initials, ID numbers and organisation codes
#   flag         "true" (include_* flags that widen what a list shows)
#   tenant       a tenant-wide catalogue, not kept by an organisation (a random id is tried)
#   admin_only   the route is for tenant administrators: any call is refused
LIST_PARAMS: dict[str, dict[str, str]] = {
    "/audit": {"object_id": "admin_only", "actor": "admin_only"},
    "/brands": {"org": "org", "q": "q", "parent_id": "tenant"},  # parent_id: a brand's id
    "/brands/coverage": {"org": "org"},
    "/brands/model-sites": {"org": "org"},
    "/community/grids": {"org_id": "org", "subtree_of": "org", "include_ended": "flag"},
    "/community/overview": {"org_id": "org"},
    "/community/property-companies": {"org_id": "org", "subtree_of": "org", "include_left": "flag"},
    "/community/registrations": {
        "org_id": "org",
        "subtree_of": "org",
        "member_id": "member",
        "grid_id": "grid",
    },
    "/cycles/{cycle_id}/members": {"org_id": "org"},
    "/cycles/{cycle_id}/results": {"org_id": "org"},
    "/development": {"org_id": "org", "subtree_of": "org"},
    "/development/violations": {"subtree_of": "org", "include_reviewed": "flag"},
    "/dues/arrears": {"subtree_of": "org"},
    "/dues/finance-roles": {"org_id": "org", "subtree_of": "org", "include_ended": "flag"},
    "/dues/payments": {"member_id": "member", "subtree_of": "org"},
    "/elections": {"org_id": "org", "subtree_of": "org"},
    "/exports/members": {"subtree_of": "org", "include_former": "flag"},
    "/exports/orgs": {"subtree_of": "org"},
    "/meetings": {"org_id": "org", "subtree_of": "org"},
    "/meetings/attendance": {"subtree_of": "org"},
    "/members": {"org_id": "org", "subtree_of": "org", "q": "q"},
    "/organs/brands": {"org": "org"},
    "/organs/business-goals": {"org": "org"},
    "/organs/model-assessments": {"org": "org"},
    "/organs/overview": {"org": "org"},
    "/pairings": {"org": "org"},
    "/pairings/figures": {"org": "org"},
    "/reviews": {"org": "org"},
    "/orgs": {"parent": "org", "subtree_of": "org", "include_inactive": "flag", "q": "q"},
    "/orgs/{org_id}/posts": {"include_ended": "flag"},
    "/orgs/{org_id}/tree": {"include_inactive": "flag"},
    "/points/entries": {"member_id": "member", "org_id": "org"},
    "/points/me": {"subtree_of": "org"},
    "/points/members/{member_id}": {"subtree_of": "org"},
    "/points/offers": {"partner_id": "tenant", "include_inactive": "flag"},
    "/points/ranking": {"org": "org"},
    "/points/redemptions": {"member_id": "member"},
    "/problems": {"org": "org", "designation_id": "designation"},
    "/problems/ledger.xlsx": {"org": "org"},
    "/problems/weak-orgs": {"org": "org"},
    "/rural/duties": {"org_id": "org", "subtree_of": "org", "member_id": "member"},
    "/rural/incomes": {"org_id": "org", "subtree_of": "org"},
    "/rural/mobile-contacts": {"org_id": "org", "subtree_of": "org", "member_id": "member"},
    "/rural/stationings": {"org_id": "org", "subtree_of": "org"},
    "/soe/appointments": {"org_id": "org", "subtree_of": "org"},
    "/soe/decisions": {"org_id": "org", "subtree_of": "org"},
    "/soe/innovations": {"org_id": "org", "subtree_of": "org"},
    "/soe/performance-links": {"org_id": "org", "subtree_of": "org"},
    "/soe/vanguard-posts": {"org_id": "org", "subtree_of": "org"},
    "/archives/completeness": {"org_id": "org"},
    "/statistics": {"org_id": "org"},
    "/statistics/drill": {"org_id": "org"},
    "/statistics/export.xlsx": {"org_id": "org"},
    "/transfers": {"member_id": "member"},
    "/two_new/coverage": {"org": "org"},
    "/two_new/groups": {"org": "org"},
    "/two_new/instructors": {"org": "org"},
    "/two_new/units": {"org": "org", "include_closed": "flag"},
    "/warnings": {"subtree_of": "org", "org_id": "org"},
    "/warnings/ranking": {"subtree_of": "org"},
}
# Query parameters a route needs to answer at all (else every call is a 422 that proves nothing)
REQUIRED_QUERY = {
    "/warnings/ranking": {"period_start": "2000-01-01", "period_end": date.today().isoformat()},
    "/meetings/attendance": {"from": "2000-01-01", "to": date.today().isoformat()},
    "/statistics": {"year": date.today().year},
    "/statistics/drill": {
        "year": date.today().year,
        "table": "gender",
        "row": "total",
        "column": "total",
    },
    "/statistics/export.xlsx": {"year": date.today().year},
}
# What an unfiltered list must show the branch secretary of B1 (so an empty answer — or a
# 403 — cannot pass for "nothing leaked"): a record kind of the world kept inside B1.
SHOWS_INSIDE = {
    "/meetings": "meeting",
    "/elections": "election",
    "/dues/finance-roles": "finance_role",
    "/dues/payments": "payment",
    "/points/entries": "points_entry",
    "/development": "development",
    "/problems": "problem",
    "/problems/weak-orgs": "weak_org",
    "/rural/incomes": "rural_income",
    "/rural/stationings": "rural_stationing",
    "/rural/duties": "rural_duty",
    "/rural/mobile-contacts": "rural_contact",
    "/warnings": "warning",
}


def org_like(name: str) -> bool:
    """A query parameter that picks organisations, people or records — or widens a list."""
    return (
        name in ("q", "org", "parent", "actor")
        or name.endswith("_id")
        or "subtree" in name
        or "descendant" in name
        or name.startswith("include_")
    )


def _openapi_lists(client) -> dict[str, set[str]]:
    """``{path (without /api/v1): org-like query parameters}`` of every GET route."""
    doc = client.get(f"{API}/openapi.json").get_json()
    found = {}
    for path, item in doc["paths"].items():
        params = {
            p["name"]
            for p in (item.get("get") or {}).get("parameters", [])
            if p.get("in") == "query" and org_like(p["name"])
        }
        if params:
            found[path.removeprefix(API)] = params
    return found


def test_every_org_like_query_parameter_of_the_api_is_exercised(client):
    """A new list route with an organisation filter (or a new filter on an old one) must be
    added to LIST_PARAMS, and so be tried by the tests below."""
    routes = _openapi_lists(client)
    assert routes, "the OpenAPI document lists no route with an organisation-like filter"
    missing = {
        path: sorted(params - set(LIST_PARAMS.get(path, {})))
        for path, params in routes.items()
        if params - set(LIST_PARAMS.get(path, {}))
    }
    assert not missing, f"org-like query parameters not exercised by this suite: {missing}"
    gone = {
        path: sorted(set(params) - routes.get(path, set()))
        for path, params in LIST_PARAMS.items()
        if set(params) - routes.get(path, set())
    }
    assert not gone, f"LIST_PARAMS names parameters the API no longer has: {gone}"


def _fill(path: str, world: World, viewer: str) -> str:
    inside_member = world.members[world.inside_members(viewer)[0]]
    return (
        path.replace("{cycle_id}", world.cycle_id)
        .replace("{member_id}", str(inside_member))
        .replace("{org_id}", str(world.orgs[viewer]))
    )


def _values(kind: str, world: World, viewer: str) -> list[str]:
    if kind == "org":
        return [str(world.orgs[c]) for c in world.unseen_orgs(viewer)]
    if kind == "member":
        return [str(world.members[n]) for n in world.outside_members(viewer)]
    if kind == "grid":
        return [r.id for r in world.outside_records(viewer, "community_grid")]
    if kind == "designation":
        return [r.id for r in world.outside_records(viewer, "weak_org")]
    if kind == "q":
        outside = world.outside_members(viewer)
        codes = world.outside_orgs(viewer)
        names = dict((c, n) for c, n, *_ in TREE)
        return (
            outside
            + [world.id_numbers[n] for n in outside]
            + list(OUTSIDE_INITIALS)
            + codes
            + [names[c] for c in codes]
            + ["二", "三", "%", "_"]
        )
    if kind == "flag":
        return ["true"]
    if kind == "tenant":
        return [str(uuid.uuid4())]
    if kind == "admin_only":
        return [str(world.orgs[viewer]), world.usernames["admin"]]
    raise AssertionError(f"unknown kind {kind}")


def _answer_text(response) -> str:
    return body_text(response) + "\n" + response.headers.get("X-Pagination", "")


def _check(response, tokens, what, problems, sent=()):
    """Note in ``problems`` a 5xx, or a foreign token in the answer (other than what the
    caller sent: a 404 may name the id it was asked for)."""
    if response.status_code >= 500:
        problems.append(f"{what}: {response.status_code}")
        return
    text = _answer_text(response)
    for value in sent:
        text = text.replace(value, "")
    found = leaks(text, tokens)
    if found:
        problems.append(f"{what}: {response.status_code} shows {found}")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_lists_show_nothing_outside_the_subtree_whatever_the_filters(client, world, viewer):
    headers, tokens = world.headers[viewer], world.foreign_tokens(viewer)
    problems = []
    for path, params in LIST_PARAMS.items():
        url = API + _fill(path, world, viewer)
        base = REQUIRED_QUERY.get(path, {})
        plain = client.get(url, query_string=base, headers=headers)
        # only a parameter tried below may be missing (a route that needs an organisation)
        if plain.status_code == 422 and not set(plain.get_json()["errors"]) <= set(params):
            problems.append(f"GET {url}: 422 {plain.get_json()['errors']} (add REQUIRED_QUERY)")
        _check(plain, tokens, f"GET {url}", problems)
        if "admin_only" in params.values():
            if plain.status_code != 403:
                problems.append(f"GET {url}: {plain.status_code}, not 403 for a non-administrator")
        for name, kind in params.items():
            for value in _values(kind, world, viewer):
                response = client.get(url, query_string={**base, name: value}, headers=headers)
                # a 404 may echo the id asked for; a search term is never stripped
                echo = [] if kind == "q" else [value]
                _check(response, tokens, f"GET {url}?{name}={value}", problems, echo)
                if kind == "admin_only" and response.status_code != 403:
                    problems.append(f"GET {url}?{name}: {response.status_code}, not 403")
        # every page, one row at a time, and the largest page: the totals count only the inside
        paging = client.get(url, query_string={**base, "page_size": 1}, headers=headers)
        if paging.status_code == 200 and "X-Pagination" in paging.headers:
            total = json.loads(paging.headers["X-Pagination"])["total"]
            seen = 0
            for page in range(1, total + 2):
                response = client.get(
                    url, query_string={**base, "page_size": 1, "page": page}, headers=headers
                )
                _check(response, tokens, f"GET {url}?page={page}", problems)
                seen += len(response.get_json() or []) if response.status_code == 200 else 0
            if seen != total:
                problems.append(f"GET {url}: X-Pagination total {total}, {seen} rows shown")
    assert not problems, "\n".join(problems)


def test_api_lists_do_show_the_branch_its_own_records(client, world):
    """The other side of the tests above: the branch secretary's lists are not simply empty."""
    headers = world.headers["B1"]
    missing = []
    for path, kind in SHOWS_INSIDE.items():
        response = client.get(f"{API}{path}?page_size=500", headers=headers)
        expected = {r.id for r in world.inside_records("B1", kind)}
        assert expected, f"the world has no {kind} inside B1"
        shown = {row["id"] for row in response.get_json()} if response.status_code == 200 else set()
        if not expected <= shown:
            missing.append(
                f"{path}: {response.status_code}, {len(expected - shown)} of B1's "
                f"{kind} records missing"
            )
    members = client.get(f"{API}/members?page_size=500", headers=headers).get_json()
    assert {m["name"] for m in members} == set(world.inside_members("B1"))
    searched = client.get(f"{API}/members", query_string={"q": "赵一甲"}, headers=headers)
    assert [m["name"] for m in searched.get_json()] == ["赵一甲"]
    nested = client.get(
        f"{API}/members", query_string={"subtree_of": str(world.orgs["B1"])}, headers=headers
    ).get_json()
    assert "孙一组" in {m["name"] for m in nested}  # the nested group's member, under B1
    committee = client.get(f"{API}/members?page_size=500", headers=world.headers["C1"]).get_json()
    assert {m["name"] for m in committee} == set(world.inside_members("C1"))
    assert not missing, "\n".join(missing)


# -- one record, by id: reading it and acting on it -------------------------------------------
TODAY = date.today().isoformat()
# kind → (method, path, JSON body or None); {id} is the record's id
RECORD_ROUTES: dict[str, list[tuple]] = {
    "meeting": [
        ("GET", "/meetings/{id}", None),
        ("GET", "/meetings/{id}/attendance", None),
        ("GET", "/meetings/{id}/attachments", None),
        ("PATCH", "/meetings/{id}", {"topic": "改过的议题"}),
        ("PUT", "/meetings/{id}/attendance", {"present_member_ids": [], "absences": []}),
        ("DELETE", "/meetings/{id}", None),
    ],
    "finance_role": [("POST", "/dues/finance-roles/{id}/end", {"until": TODAY})],
    "points_entry": [
        ("GET", "/points/entries/{id}", None),
        ("GET", "/points/entries/{id}/attachment", None),
        ("POST", "/points/entries/{id}/approve", {}),
        ("POST", "/points/entries/{id}/reject", {"reason": "不符合"}),
    ],
    "development": [
        ("GET", "/development/{id}", None),
        ("POST", "/development/{id}/steps", {"code": 2, "done_on": TODAY}),
        ("POST", "/development/{id}/status", {"status": "stopped", "reason": "本人放弃"}),
        ("POST", "/development/{id}/extension", {"months": 6, "on": TODAY, "reason": "延长预备期"}),
    ],
    "problem": [
        ("GET", "/problems/{id}", None),
        ("GET", "/problems/{id}/evidence", None),
        ("PATCH", "/problems/{id}", {"title": "改过的问题", "version": 1}),
        ("POST", "/problems/{id}/start", {}),
        ("POST", "/problems/{id}/submit", {"rectification": "已整改"}),
        ("POST", "/problems/{id}/approve", {}),
        ("POST", "/problems/{id}/reject", {"reason": "未整改到位"}),
        ("POST", "/problems/{id}/reopen", {"reason": "复查"}),
    ],
    "weak_org": [
        ("GET", "/problems/weak-orgs/{id}", None),
        ("PATCH", "/problems/weak-orgs/{id}", {"description": "改过的情形", "version": 1}),
        ("POST", "/problems/weak-orgs/{id}/start", {}),
        ("POST", "/problems/weak-orgs/{id}/delist", {"comment": "整顿完成"}),
    ],
    "warning": [
        ("GET", "/warnings/{id}", None),
        ("POST", "/warnings/{id}/acknowledge", {"note": "已知悉"}),
        (
            "POST",
            "/problems/from-warning/{id}",
            {"title": "由预警转来", "severity": "general", "deadline": TODAY},
        ),
    ],
    "transfer": [
        ("GET", "/transfers/{id}", None),
        ("POST", "/transfers/{id}/cancel", {"reason": "撤回"}),
    ],
    "community_registration": [
        ("GET", "/community/registrations/{id}", None),
        ("GET", "/community/registrations/{id}/services", None),
        (
            "POST",
            "/community/registrations/{id}/services",
            {"served_on": TODAY, "activity": "社区服务"},
        ),
        ("PATCH", "/community/registrations/{id}", {"note": "改"}),
        ("DELETE", "/community/registrations/{id}", None),
    ],
}
for _kind, _path in (
    ("rural_income", "/rural/incomes"),
    ("rural_stationing", "/rural/stationings"),
    ("rural_duty", "/rural/duties"),
    ("rural_contact", "/rural/mobile-contacts"),
    ("community_grid", "/community/grids"),
    ("community_company", "/community/property-companies"),
):
    _change = {"responsibilities": "改"} if _kind == "rural_duty" else {"note": "改"}
    RECORD_ROUTES[_kind] = [
        ("GET", _path + "/{id}", None),
        ("PATCH", _path + "/{id}", _change),
        ("DELETE", _path + "/{id}", None),
    ]
MEMBER_ROUTES = [
    ("GET", "/members/{id}", None),
    ("GET", "/members/{id}/history", None),
    ("GET", "/dues/bases/{id}", None),
    ("GET", "/points/members/{id}", None),
    ("GET", "/points/members/{id}/card", None),
    ("GET", "/points/members/{id}/card.png", None),
    ("PATCH", "/members/{id}", {"phone": "13900001111", "version": 1}),
    ("POST", "/members/{id}/status", {"status": "deceased", "on": TODAY, "reason": "去世"}),
    ("POST", "/members/{id}/move", {"org_id": "{home}", "on": TODAY, "reason": "调入本支部"}),
    ("PUT", "/dues/bases/{id}", {"effective_from": "2001-01", "base": "9000"}),
    ("POST", "/points/members/{id}/card", {}),
    ("DELETE", "/points/members/{id}/card", None),
    ("POST", "/transfers", {"member_id": "{id}", "reason": "工作调动", "to_org_id": "{home}"}),
]
ORG_ROUTES = [
    ("GET", "/orgs/{id}", None),
    ("GET", "/orgs/{id}/tree", None),
    ("GET", "/orgs/{id}/stats", None),
    ("GET", "/orgs/{id}/posts", None),
    ("GET", "/orgs/{id}/units", None),
    ("GET", "/cycles/{cycle}/results/{id}", None),
    ("PATCH", "/orgs/{id}", {"name": "改过的名称"}),
    ("POST", "/orgs/{id}/move", {"parent_id": "{home}"}),
    ("POST", "/orgs/{id}/merge", {"target_id": "{home}"}),
    ("POST", "/orgs/{id}/dissolve", {"move_members_to": "{home}"}),
    (
        "POST",
        "/orgs/{id}/posts",
        {"person_name": "新书记", "post": "secretary", "started_on": TODAY},
    ),
    ("POST", "/orgs/{id}/units", {"name": "新单位", "unit_type": "enterprise"}),
    ("POST", "/orgs", {"name": "新党小组", "code": "NEW1", "kind": "group", "parent_id": "{id}"}),
    ("POST", "/cycles/{cycle}/results/{id}/adjustments", {"points": 5, "reason": "加分理由"}),
    ("PUT", "/cycles/{cycle}/results/{id}/veto", {"reason": "发生严重违纪违法案件"}),
    ("DELETE", "/cycles/{cycle}/results/{id}/veto", None),
    (
        "POST",
        "/cycles",
        {"name": "越权考核", "period": "year", "year": date.today().year, "root_org_id": "{id}"},
    ),
]


def _fill_body(body, values: dict):
    if body is None:
        return None
    text = json.dumps(body, ensure_ascii=False)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)


def _targets(world: World, viewer: str):
    """``(label, method, path, body)`` of every read and write aimed outside ``viewer``'s
    subtree."""
    home = str(world.orgs[viewer])
    for record in world.outside_records(viewer):
        for method, path, body in RECORD_ROUTES.get(record.kind, ()):
            values = {"id": record.id, "home": home}
            yield (
                f"{record.kind} of {record.org}",
                method,
                API + path.format(id=record.id),
                _fill_body(body, values),
            )
    for name in world.outside_members(viewer):
        member_id = str(world.members[name])
        for method, path, body in MEMBER_ROUTES:
            yield (
                f"member {name}",
                method,
                API + path.format(id=member_id),
                _fill_body(body, {"id": member_id, "home": home}),
            )
    for code in world.unseen_orgs(viewer):
        org_id = str(world.orgs[code])
        for method, path, body in ORG_ROUTES:
            yield (
                f"org {code}",
                method,
                API + path.format(id=org_id, cycle=world.cycle_id),
                _fill_body(body, {"id": org_id, "home": home}),
            )


@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_records_outside_are_404_to_read_and_refused_to_change(
    client, world, viewer, in_tenant
):
    from tests.security.subtree_world import changes, snapshot

    headers, tokens = world.headers[viewer], world.foreign_tokens(viewer)
    before = snapshot(in_tenant, world.tenant_id)
    problems = []
    for label, method, path, body in _targets(world, viewer):
        response = client.open(path, method=method, json=body, headers=headers)
        what = f"{method} {path} ({label})"
        # opening a cycle checks its root like any other field: "Unknown organization."
        unknown = (
            response.status_code == 422
            and path.endswith("/cycles")
            and response.get_json()["errors"] == {"root_org_id": ["Unknown organization."]}
        )
        if response.status_code not in REFUSED and not unknown:
            problems.append(
                f"{what}: {response.status_code} {response.get_data(as_text=True)[:200]}"
            )
        sent = [v for v in (body or {}).values() if isinstance(v, str)] + path.split("/")
        _check(response, tokens, what, problems, [s for s in sent if len(s) == 36])
    after = snapshot(in_tenant, world.tenant_id)
    assert not problems, "\n".join(problems)
    assert not changes(before, after), f"refused requests wrote: {changes(before, after)}"


def _crossing_requests(world: World, viewer: str):
    """``(label, method, path, body)``: creating records kept outside ``viewer``'s subtree,
    moving its members and organisations out, and taking outside members or letters in."""
    home = str(world.orgs[viewer])
    own_member = str(world.members[world.inside_members(viewer)[0]])
    own_org = "B1G"  # inside both viewers' subtrees
    for code in world.unseen_orgs(viewer):
        org_id = str(world.orgs[code])
        if code in BRANCHES:  # every kind of record, with the branch's own members
            for kind, method, path, body, _label in create_requests(world, code, mark="越"):
                yield f"create {kind} in {code}", method, API + path, body
        else:  # a committee or group: the records kept by any organisation
            for kind, method, path, body, _label in create_requests(world, code, mark="越"):
                if "org_id" in body and kind not in ("election",):
                    yield f"create {kind} in {code}", method, API + path, body
        if code == "B2":
            for kind, method, path, body, _label in rural_requests(world, code, mark="越"):
                yield f"create {kind} in {code}", method, API + path, body
        if code == "B3":
            for kind, method, path, body, _label in community_requests(world, code, mark="越"):
                yield f"create {kind} in {code}", method, API + path, body
        yield (
            f"move own member to {code}",
            "POST",
            f"{API}/members/{own_member}/move",
            {"org_id": org_id, "on": TODAY, "reason": "调出"},
        )
        yield (
            f"move {own_org} under {code}",
            "POST",
            f"{API}/orgs/{world.orgs[own_org]}/move",
            {"parent_id": org_id},
        )
        yield (
            f"merge {own_org} into {code}",
            "POST",
            f"{API}/orgs/{world.orgs[own_org]}/merge",
            {"target_id": org_id},
        )
        yield (
            f"dissolve {own_org} into {code}",
            "POST",
            f"{API}/orgs/{world.orgs[own_org]}/dissolve",
            {"move_members_to": org_id, "move_children_to": org_id},
        )
        yield (f"new member in {code}", "POST", f"{API}/members", {**_member_body(world, org_id)})
        yield (
            f"new organisation under {code}",
            "POST",
            f"{API}/orgs",
            {"name": "越权党小组", "code": f"X{code}", "kind": "group", "parent_id": org_id},
        )
    for name in world.outside_members(viewer):
        member_id = str(world.members[name])
        yield (
            f"meeting of {viewer} with {name} present",
            "POST",
            f"{API}/meetings",
            {
                "org_id": home,
                "kind": "theme_day",
                "held_on": TODAY,
                "topic": "本支部会议",
                "present_member_ids": [member_id],
            },
        )
        yield (
            f"payment for {name}",
            "POST",
            f"{API}/dues/payments",
            {"member_id": member_id, "month": f"{date.today():%Y-%m}", "channel": "cash"},
        )
    letter = world.outside_records(viewer, "transfer")[0]
    yield (
        f"accept letter {letter.label} into {viewer}",
        "POST",
        f"{API}/transfers/incoming/{letter.label}/accept",
        {"org_id": home},
    )
    yield (
        f"accept letter {letter.label}",
        "POST",
        f"{API}/transfers/incoming/{letter.label}/accept",
        {},
    )
    yield (
        f"refuse letter {letter.label}",
        "POST",
        f"{API}/transfers/incoming/{letter.label}/refuse",
        {"reason": "不接收"},
    )


def _ids_sent(path: str, body) -> list[str]:
    """The ids in a request: an answer may name them back (\"unknown member <id>\")."""
    text = path + json.dumps(body or {})
    return UUID_TEXT.findall(text) + [part for part in path.split("/") if len(part) > 8]


def _names_a_field_sent(response, body) -> bool:
    """A 422 naming only fields of the request — the project's answer to an unknown or
    unusable id in a body (\"member_id: Unknown member.\"), as for any bad value."""
    if response.status_code != 422 or not body:
        return False
    fields = set((response.get_json() or {}).get("errors") or {})
    return bool(fields) and fields <= set(body)


def _member_body(world: World, org_id: str) -> dict:
    from tests.members.helpers import make_id_number, member_data

    return member_data(org_id, name="越权新党员", id_number=make_id_number(date(1991, 4, 4)))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_writes_across_the_boundary_are_refused_and_change_nothing(
    client, world, viewer, in_tenant
):
    from tests.security.subtree_world import changes, snapshot

    headers, tokens = world.headers[viewer], world.foreign_tokens(viewer)
    before = snapshot(in_tenant, world.tenant_id)
    problems = []
    tried = 0
    for label, method, path, body in _crossing_requests(world, viewer):
        tried += 1
        response = client.open(path, method=method, json=body, headers=headers)
        if response.status_code not in REFUSED and not _names_a_field_sent(response, body):
            problems.append(
                f"{label}: {method} {path} → {response.status_code} "
                f"{response.get_data(as_text=True)[:200]}"
            )
        _check(response, tokens, label, problems, _ids_sent(path, body))
    after = snapshot(in_tenant, world.tenant_id)
    assert tried > 30
    assert not problems, "\n".join(problems)
    assert not changes(before, after), f"refused requests wrote: {changes(before, after)}"


# -- exports, imports, jobs, the audit log ----------------------------------------------------
PERIOD = f"period_start=2000-01-01&period_end={date.today().isoformat()}"


def _cells(data: bytes) -> set:
    return {cell for _sheet, row in xlsx_rows(data) for cell in row if cell is not None}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_exports_hold_only_the_subtree_and_refuse_an_organisation_outside(client, world, viewer):
    headers = world.headers[viewer]
    everyone = set(world.members)
    codes = {code for code, *_ in TREE}
    members = client.get(f"{API}/exports/members", headers=headers)
    assert members.status_code == 200, members.get_data(as_text=True)
    assert _cells(members.data) & everyone == set(world.inside_members(viewer))
    former = client.get(f"{API}/exports/members?include_former=true", headers=headers)
    assert _cells(former.data) & everyone == set(world.inside_members(viewer))
    orgs = client.get(f"{API}/exports/orgs", headers=headers)
    assert orgs.status_code == 200
    # the subtree's organisations; the parent's code may stand beside the top one
    shown = _cells(orgs.data) & codes
    assert world.inside(viewer) <= shown and not shown & set(world.outside_orgs(viewer)), shown
    assert shown - world.inside(viewer) <= {world.parent_code(viewer)}
    template = client.get(f"{API}/imports/members/template", headers=headers)
    assert template.status_code == 200
    assert _cells(template.data) & codes == world.inside(viewer)
    ledger = client.get(f"{API}/problems/ledger.xlsx", headers=headers)
    assert ledger.status_code == 200
    titles = {r.label for r in world.records if r.kind == "problem"}
    assert _cells(ledger.data) & titles == {
        r.label for r in world.inside_records(viewer, "problem")
    }
    for code in world.unseen_orgs(viewer):
        org_id = str(world.orgs[code])
        for path in (
            f"/exports/members?subtree_of={org_id}",
            f"/exports/orgs?subtree_of={org_id}",
            f"/problems/ledger.xlsx?org={org_id}",
            f"/warnings/ranking?subtree_of={org_id}&format=xlsx&{PERIOD}",
        ):
            response = client.get(API + path, headers=headers)
            assert response.status_code in REFUSED, (path, response.status_code)
    ranking = client.get(f"{API}/warnings/ranking?format=xlsx&{PERIOD}", headers=headers)
    assert ranking.status_code == 200
    assert not leaks(body_text(ranking), world.foreign_tokens(viewer))


def _sheet(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    from tests.excel.conftest import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.title = "党员信息"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_naming_members_or_organisations_outside_is_refused_row_by_row(
    client, world, in_tenant, run_jobs
):
    from tests.excel.conftest import person
    from tests.security.subtree_world import changes, snapshot

    headers = world.headers["B1"]
    inside = person("B1", 姓名="何一新")
    rows = [
        inside,  # row 2: a new member of B1
        person("B2", 姓名="吕二新"),  # 3: into a sibling branch
        person("C1", 姓名="施一委"),  # 4: into the parent committee
        person("B3", 姓名="张三新"),  # 5: into another committee's
        person(
            "B1", 姓名="李二甲", 公民身份号码=world.id_numbers["李二甲"]
        ),  # 6: B2's member moved in
        person(
            "B2", 姓名="赵一甲", 公民身份号码=world.id_numbers["赵一甲"]
        ),  # 7: B1's member moved out
    ]
    before = snapshot(in_tenant, world.tenant_id)
    form = {"file": (io.BytesIO(_sheet(rows)), "党员.xlsx"), "mode": "valid_rows_only"}
    response = client.post(
        f"{API}/imports/members", data=form, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 202, response.get_json()
    run_jobs()
    job = client.get(f"{API}/jobs/{response.get_json()['id']}", headers=headers).get_json()
    assert job["state"] == "finished", job
    result = job["result"]
    refused = {error["row"] for error in result["errors"]}
    assert refused == {3, 4, 5, 6, 7}, result["errors"]
    assert result["created"] == 1 and result["updated"] == 0, result
    # the only change: 何一新, admitted into B1 (with its event and audit entries)
    after = snapshot(in_tenant, world.tenant_id)
    members = {c: n for c, n in changes(before, after).items() if c == "members"}
    assert members == {"members": 1}
    moved = client.get(f"{API}/members/{world.members['李二甲']}", headers=world.headers["admin"])
    assert moved.get_json()["org_id"] == str(world.orgs["B2"])
    kept = client.get(f"{API}/members/{world.members['赵一甲']}", headers=world.headers["admin"])
    assert kept.get_json()["org_id"] == str(world.orgs["B1"])
    # the per-row reasons name no organisation the secretary cannot see
    sent = {"B2", "B3", "C1", "李二甲", "吕二新", "张三新", "施一委", world.id_numbers["李二甲"]}
    text = json.dumps(result, ensure_ascii=False)
    assert not leaks(text, {t: w for t, w in world.foreign_tokens("B1").items() if t not in sent})
    # the import job is the secretary's own: the committee secretary does not see it
    assert client.get(f"{API}/jobs/{job['id']}", headers=world.headers["C1"]).status_code == 404


@pytest.mark.parametrize("viewer", VIEWERS)
def test_jobs_of_others_and_the_audit_log_are_not_shown(client, world, viewer):
    headers = world.headers[viewer]
    assert world.jobs, "the world started no job"
    for what, job_id in world.jobs.items():
        admin_view = client.get(f"{API}/jobs/{job_id}", headers=world.headers["admin"])
        assert admin_view.status_code == 200, what  # the job exists, with its result
        response = client.get(f"{API}/jobs/{job_id}", headers=headers)
        assert response.status_code == 404, (what, response.status_code)
        unknown = client.get(f"{API}/jobs/{uuid.uuid4()}", headers=headers)
        assert response.get_json()["message"].replace(job_id, "") == unknown.get_json()[
            "message"
        ].replace(unknown.request.path.rsplit("/", 1)[-1], "")
    for query in (
        {},
        {"object_id": str(world.members[world.inside_members(viewer)[0]])},
        {"object_type": "members"},
        {"actor": world.usernames[viewer]},
    ):
        response = client.get(f"{API}/audit", query_string=query, headers=headers)
        assert response.status_code == 403, (query, response.status_code)
        assert not leaks(body_text(response), world.foreign_tokens(viewer))


# -- the web app ------------------------------------------------------------------------------
def _web_reads(world: World, viewer: str):
    """``(path, must be refused)``: the pages, with every filter pointed outside."""
    names = dict((c, n) for c, n, *_ in TREE)
    yield from (
        (p, False)
        for p in (
            "/",
            "/orgs",
            "/members",
            "/members?status=all",
            "/problems",
            "/warnings",
            "/warnings?state=resolved",
            "/ranking",
            "/work",
            "/exports",
            "/exports/members.xlsx",
            "/exports/members.xlsx?include_former=y",
            "/exports/orgs.xlsx",
            "/cycles",
            f"/cycles/{world.cycle_id}",
            "/imports",
        )
    )
    for code in world.unseen_orgs(viewer):
        org_id = str(world.orgs[code])
        for path in (
            "/?org={}",
            "/orgs?org={}",
            "/members?org={}",
            "/problems?org={}",
            "/ranking?org={}",
            "/exports?org={}",
            "/exports/members.xlsx?org={}",
            "/exports/orgs.xlsx?org={}",
            "/statistics?org={}",
            "/statistics/export.xlsx?org={}",
            "/statistics/drill?org={}&table=gender&row=total&column=total",
            "/yearly?org={}",
            "/orgs/{}",
            "/work/{}",
            "/work/{}/meetings",
            "/work/{}/development",
            "/work/{}/dues",
            "/work/{}/sector",
            "/work/{}/meetings/new",
            f"/cycles/{world.cycle_id}/results/{{}}",
        ):
            yield path.format(org_id), True
        for path in (
            f"/problems?code={code}",
            f"/warnings?code={code}",
            f"/cycles/{world.cycle_id}?org={org_id}",
            f"/orgs?q={code}",
            f"/orgs?q={names[code]}",
            f"/work?q={names[code]}",
            f"/work?q={code}",
        ):
            yield path, False
    for name in world.outside_members(viewer):
        member_id = world.members[name]
        for path in ("/members/{}", "/members/{}/card", "/members/{}/card.png"):
            yield path.format(member_id), True
        yield f"/members?q={name}", False
        yield f"/members?q={world.id_numbers[name]}", False
    for initials in OUTSIDE_INITIALS:
        yield f"/members?q={initials}", False
    for kind, path in (
        ("problem", "/problems/{}"),
        ("problem", "/problems/{}/edit"),
        ("warning", "/warnings/{}"),
        ("warning", "/problems/from-warning/{}"),
        ("meeting", "/work/meetings/{}"),
        ("development", "/work/development/{}"),
    ):
        for record in world.outside_records(viewer, kind):
            yield path.format(record.id), True
    for job_id in world.jobs.values():
        for path in ("/jobs/{}", "/jobs/{}/status", "/imports/{}"):
            yield path.format(job_id), True
    yield "/admin/audit", True
    yield "/admin", True


@pytest.mark.parametrize("viewer", VIEWERS)
def test_web_pages_show_nothing_outside_the_subtree(client, world, viewer):
    web = WebSession.log_in(client.application, world.host, world.usernames[viewer])
    tokens = world.foreign_tokens(viewer)
    problems = []
    for path, refused in _web_reads(world, viewer):
        response = web.get(path)
        if response.status_code >= 500 or (refused and response.status_code not in REFUSED):
            problems.append(f"GET {path}: {response.status_code}")
        if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            problems.append(f"GET {path}: logged out")
        text = body_text(response)
        for part in _ids_sent(path, None):
            text = text.replace(part, "")
        for _name, value in parse_qsl(urlsplit(path).query):
            # the search box, and "nothing matches “…”", show what was typed
            text = text.replace(f'value="{value}"', "").replace(f"“{value}”", "")
        found = leaks(text, tokens)
        if found:
            problems.append(f"GET {path}: {response.status_code} shows {found}")
    assert not problems, "\n".join(problems)
    # and the pages do show the subtree
    members = body_text(web.get("/members"))
    assert all(name in members for name in world.inside_members(viewer) if name != "孙一组")
    exported = web.get("/exports/members.xlsx")
    assert _cells(exported.data) & set(world.members) == set(world.inside_members(viewer))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_web_forms_cannot_write_outside_the_subtree(client, world, viewer, in_tenant):
    from tests.security.subtree_world import changes, snapshot

    web = WebSession.log_in(client.application, world.host, world.usernames[viewer])
    before = snapshot(in_tenant, world.tenant_id)
    problems = []
    posts = []
    for code in world.unseen_orgs(viewer):
        org_id = world.orgs[code]
        posts += [
            (
                "/problems/new",
                {
                    "org_code": code,
                    "source": "inspection",
                    "category": "组织生活",
                    "title": "越权问题",
                    "severity": "general",
                    "deadline": TODAY,
                },
            ),
            (
                f"/work/{org_id}/meetings/new",
                {"kind": "theme_day", "held_on": TODAY, "topic": "越权会议"},
            ),
            (f"/work/{org_id}/dues", {"month": f"{date.today():%Y-%m}"}),
            (f"/work/{org_id}/sector", {}),
            (
                f"/cycles/{world.cycle_id}/results/{org_id}/adjustments",
                {"points": "5", "reason": "越权加分"},
            ),
            (f"/cycles/{world.cycle_id}/results/{org_id}/veto", {"reason": "越权否决"}),
        ]
    for record in world.outside_records(viewer, "problem"):
        for action in ("start", "submit", "approve", "reject", "reopen", "edit"):
            posts.append((f"/problems/{record.id}/{action}", {"reason": "越权", "title": "改"}))
    for record in world.outside_records(viewer, "warning"):
        posts.append((f"/warnings/{record.id}/acknowledge", {"note": "越权"}))
        posts.append((f"/problems/from-warning/{record.id}", {"title": "越权", "deadline": TODAY}))
    for record in world.outside_records(viewer, "development"):
        posts.append((f"/work/development/{record.id}", {"code": "2", "done_on": TODAY}))
    for name in world.outside_members(viewer):
        posts.append((f"/members/{world.members[name]}/card", {}))
    tokens = world.foreign_tokens(viewer)
    for path, data in posts:
        response = web.post(path, data, form_page="/")
        # refused — or, for a form naming the organisation by its code, shown again with the
        # code marked as unknown (422), exactly as for a code that does not exist
        form_error = (
            response.status_code == 422
            and path == "/problems/new"
            and "org_code" in body_text(response)
        )
        if response.status_code not in REFUSED and not form_error:
            problems.append(
                f"POST {path}: {response.status_code} {response.headers.get('Location', '')}"
            )
        text = body_text(response)
        for part in _ids_sent(path, None):
            text = text.replace(part, "")
        found = leaks(text, tokens)
        if found:
            problems.append(f"POST {path}: {response.status_code} shows {found}")
    after = snapshot(in_tenant, world.tenant_id)
    assert len(posts) > 30
    assert not problems, "\n".join(problems)
    assert not changes(before, after), f"refused forms wrote: {changes(before, after)}"
