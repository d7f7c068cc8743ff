"""Tenant isolation and roles on every route of the OpenAPI document (issue 9).

Two populated cities (:mod:`tests.security.world`): alpha's users knock, beta's data must
not come out. The routes are read from ``/api/v1/openapi.json`` when the tests run, and
:mod:`tests.security.api_routes` says where each one's ids come from, so a new route is
covered (or fails :func:`test_every_route_is_known` until it is described).

What is proven, route by route (failures are collected and reported together):

* a read naming one of beta's records is 404 without beta's data, while the same read
  naming alpha's record answers 200 to the least role allowed — the 404 is the city wall;
* a list shows none of beta's data, also when its filters name beta's records;
* a write naming beta's records (in its path or its body) is refused (403/404; 422 for an
  id only in the body) and leaves beta's rows as they were — checked after every write
  (a fingerprint) and around the whole batch (every row);
* a write on alpha's record that points at beta's (a body id) is refused and changes
  neither city;
* alpha's token presented for beta is refused;
* a role below the one a route needs (:data:`api_routes.MIN_ROLE`) gets 403 (or 404 where
  existence is hidden) with nothing but the error, and alpha's rows stay as they were;
* last, the least role allowed reaches alpha's own record with every write (so the refusals
  above were about the city or the role, not a wrong id), and beta is still untouched.
"""

from __future__ import annotations

import pytest

from tests.security import api_routes as R
from tests.security.api_calls import Caller, Operation, is_error_envelope, operations
from tests.security.world import ROLE_OF, Watch, changed, snapshot, world_fixture  # noqa: F401

RANK = {
    "member": 0,
    "branch_secretary": 1,
    "org_manager": 2,
    "tenant_admin": 3,
    "platform_operator": 4,
}
LABEL = {role: label for label, role in ROLE_OF.items()}
# What a refused request may still write in the caller's city: its token's last use, the
# audit of the attempt, the user's last activity.
VOLATILE = ("api_tokens", "audit_entries", "users")
STRUCTURAL = ("/move", "/merge", "/dissolve")


@pytest.fixture(scope="module")
def caller(world):
    return Caller(world)


@pytest.fixture(scope="module")
def ops(caller) -> list[Operation]:
    return operations(caller.client)


def _least(op: Operation) -> str:
    return LABEL[R.MIN_ROLE.get(op.key, "member")]


def _show(response) -> str:
    return f"{response.status_code} {response.data[:200].decode('utf-8', 'replace')!r}"


def _report(failures: list[str]) -> str:
    return f"{len(failures)} failure(s):\n" + "\n".join(failures)


def _refusal(world, op, response, sent, allowed) -> str | None:
    """Why ``response`` is not a clean refusal: a status outside ``allowed``, anything but
    the error shape, or beta's data in it."""
    problems = []
    if response.status_code not in allowed:
        problems.append(f"status {_show(response)} (want one of {allowed})")
    elif not is_error_envelope(response):
        problems.append(f"not the error shape: {_show(response)}")
    leaks = world.leaks(response.data, sent)
    if leaks:
        problems.append(f"beta's data in the answer: {leaks[:5]}")
    return "; ".join(problems) or None


def test_every_route_is_known(ops, world):
    """Every route of the document has a source of ids for each path parameter in both
    cities, a body if it writes, its required query arguments, and is public only on the
    allow-list; and every table names only routes that exist."""
    failures = []
    keys = {op.key for op in ops}
    paths = {op.path for op in ops}
    for op in ops:
        if op.secured == (op.key in R.PUBLIC):
            failures.append(
                f"{op.key}: {'needs a login' if op.secured else 'public'} — not what PUBLIC says"
            )
        for param in op.params:
            kind = op.kinds().get(param)
            if kind is None:
                failures.append(
                    f"{op.key}: no source of ids in the other city for {{{param}}} (PATH_KINDS)"
                )
        for kind in set(op.kinds().values()) | set(op.city_kinds()):
            for city in (world.alpha, world.beta):
                if kind not in city.ids:
                    failures.append(f"{op.key}: the world has no {kind!r} in {city.slug}")
        if op.writes and op.key not in R.BODIES:
            failures.append(f"{op.key}: no body in BODIES")
        missing = set(op.required) - set(R.QUERIES.get(op.key, {}))
        if missing:
            failures.append(f"{op.key}: required query {sorted(missing)} not in QUERIES")
    for table, names in (
        ("BODIES", R.BODIES),
        ("MIN_ROLE", R.MIN_ROLE),
        ("PUBLIC", R.PUBLIC),
        ("QUERIES", R.QUERIES),
    ):
        failures += [f"{table}: {key} is no route" for key in names if key not in keys]
    failures += [f"PATH_KINDS: {path} is no route" for path in R.PATH_KINDS if path not in paths]
    failures += [f"MIN_ROLE: {k}: unknown role {v}" for k, v in R.MIN_ROLE.items() if v not in RANK]
    assert not failures, _report(failures)
    assert len(ops) > 250  # the document was read, not an empty one


def test_reads_of_another_citys_records_are_404_without_its_data(caller, ops, world):
    failures, checked = [], 0
    for op in ops:
        if op.writes or not op.path_city_kinds():
            continue
        checked += 1
        try:
            who = None if op.key in R.PUBLIC and op.key not in R.MIN_ROLE else "admin"
            response, sent = caller.call(op, path_city=world.beta, who=who)
            # an id only in the query may also be answered as a field error
            allowed = (403, 404) if op.kinds() else (403, 404, 422)
            why = _refusal(world, op, response, sent, allowed)
            if why:
                failures.append(f"{op.key} with beta's ids: {why}")
            least = None if who is None else _least(op)
            own, _ = caller.call(op, path_city=world.alpha, who=least)
            if own.status_code != 200:
                failures.append(
                    f"{op.key} with alpha's own ids as {least}: {_show(own)} (want 200)"
                )
        except Exception as exc:  # noqa: BLE001 - reported with the route
            failures.append(f"{op.key}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 50


def test_lists_show_nothing_of_another_city(caller, ops, world):
    """Lists and figures as alpha's administrator, plainly and with each filter that names a
    record set to beta's: never beta's data (a filter on beta's record is 404/422 or empty)."""
    failures, checked = [], 0
    for op in ops:
        if op.writes or op.key in R.PUBLIC:
            continue
        try:
            if not op.path_city_kinds():
                checked += 1
                query = {"page_size": 500} if "page_size" in op.query else None
                if op.key in R.QUERIES:
                    query = {**caller._fill(R.QUERIES[op.key], world.alpha, set()), **(query or {})}
                response, sent = caller.call(op, path_city=world.alpha, query=query)
                if response.status_code >= 500 or world.leaks(response.data, sent):
                    failures.append(
                        f"{op.key}: {_show(response)} {world.leaks(response.data, sent)[:5]}"
                    )
            for name in op.query:
                kind = R.QUERY_KINDS.get(name)
                if kind is None:
                    continue
                checked += 1
                query = caller._fill(R.QUERIES.get(op.key, {}), world.alpha, set())
                query[name] = world.beta.ids[kind]
                response, sent = caller.call(op, path_city=world.alpha, query=query)
                if response.status_code not in (200, 404, 422) or world.leaks(response.data, sent):
                    failures.append(
                        f"{op.key}?{name}=<beta's {kind}>: {_show(response)} "
                        f"{world.leaks(response.data, sent)[:5]}"
                    )
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{op.key}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 100


def test_a_token_is_refused_in_another_city(caller, ops, world):
    """Alpha's administrator's and platform operator's tokens sent for beta (``X-Tenant:
    beta``) with beta's ids: refused on every route that needs a login, and beta unchanged."""
    before = snapshot(world.beta.tenant_id)
    failures = []
    for who in ("admin", "operator"):
        headers = {
            "Authorization": world.alpha.headers(who)["Authorization"],
            "X-Tenant": world.beta.slug,
        }
        for op in ops:
            if not op.secured:
                continue
            try:
                response, sent = caller.call(op, path_city=world.beta, headers=headers)
                why = _refusal(world, op, response, sent, (401, 403))
                if why:
                    failures.append(f"{op.key} ({who}): {why}")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{op.key} ({who}): raised {exc!r}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(world.beta.tenant_id))]
    assert not failures, _report(failures)


def test_writes_with_another_citys_ids_are_refused_and_change_nothing(caller, ops, world):
    beta = world.beta.tenant_id
    before, watch = snapshot(beta), Watch(beta)
    failures, checked = [], 0
    for op in ops:
        if not op.writes or not op.city_kinds():
            continue
        checked += 1
        # an id only in the body may also be answered as a field error
        allowed = (403, 404) if op.path_city_kinds() else (403, 404, 422)
        try:
            response, sent = caller.call(op, path_city=world.beta)
            why = _refusal(world, op, response, sent, allowed)
            if why:
                failures.append(f"{op.key} with beta's ids: {why}")
            moved = watch.moved()
            if moved:
                failures.append(f"{op.key} with beta's ids changed beta's {moved}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{op.key}: raised {exc!r}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(beta))]
    assert not failures, _report(failures)
    assert checked > 120


def test_writes_pointing_at_another_citys_records_change_nothing(caller, ops, world):
    """A write on alpha's own records whose body names one of beta's (a member to attend, an
    organisation to move under, a user to link…): refused, neither city changed."""
    watches = Watch(world.alpha.tenant_id, skip=VOLATILE), Watch(world.beta.tenant_id)
    failures, checked = [], 0
    for op in ops:
        kinds = op.city_kinds()
        if not op.writes or len(kinds) < 2 or not op.body_city_kinds():
            continue
        for kind in sorted(set(op.body_city_kinds())):
            checked += 1
            try:
                response, sent = caller.call(op, path_city=world.alpha, swap=({kind}, world.beta))
                why = _refusal(world, op, response, sent, (403, 404, 409, 422))
                if why:
                    failures.append(f"{op.key} with beta's {kind} in the body: {why}")
                moved = watches[0].moved() + watches[1].moved()
                if moved:
                    failures.append(f"{op.key} with beta's {kind} in the body changed {moved}")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{op.key} ({kind}): raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 15


def test_lower_roles_are_refused_with_nothing_but_the_error(caller, ops, world):
    """For every route that needs more than a member, each lower role (granted on the whole
    tree, so it is the role that is missing, not the scope) is refused on alpha's own records."""
    watch = Watch(world.alpha.tenant_id, skip=VOLATILE)
    failures, checked = [], 0
    for op in ops:
        need = R.MIN_ROLE.get(op.key)
        if need is None:
            continue
        for role in [r for r in RANK if RANK[r] < RANK[need]]:
            checked += 1
            who = LABEL[role]
            try:
                response, sent = caller.call(op, path_city=world.alpha, who=who)
                why = _refusal(world, op, response, sent, (403, 404))
                if why:
                    failures.append(f"{op.key} as {who}: {why}")
                moved = watch.moved() if op.writes else []
                if moved:
                    failures.append(f"{op.key} as {who} changed alpha's {moved}")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{op.key} as {who}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 200


def _positive_order(op: Operation):
    """Writes that undo or end things come after the ones that use them."""
    return (any(s in op.path for s in STRUCTURAL), op.method == "DELETE", op.key)


def test_the_least_role_reaches_its_own_records_with_every_write(caller, ops, world):
    """Runs last: it changes alpha. Each write as the least role it allows, on alpha's records:
    not refused and not 'not found' (so the refusals above were the wall, not a wrong id;
    a create naming records only in its body must succeed); beta untouched throughout —
    also by the writes that act on the caller's city as a whole (sweeps, settings)."""
    beta = world.beta.tenant_id
    before = snapshot(beta)
    failures = []
    for op in sorted((op for op in ops if op.writes), key=_positive_order):
        who = _least(op)
        try:
            if op.key == "POST /auth/revoke":
                response = caller.client.post(
                    "/api/v1/auth/token",
                    json={"username": world.alpha.usernames["member"], "password": "Passw0rd!x"},
                    headers={"X-Tenant": world.alpha.slug},
                )
                headers = {
                    "Authorization": f"Bearer {response.get_json()['access_token']}",
                    "X-Tenant": world.alpha.slug,
                }
                response, _ = caller.call(op, path_city=world.alpha, headers=headers)
            elif op.key in R.PUBLIC and op.key not in R.MIN_ROLE:
                continue
            else:
                response, _ = caller.call(op, path_city=world.alpha, who=who)
            creates = not op.path_city_kinds() and op.body_city_kinds()
            if creates and not 200 <= response.status_code < 300:
                failures.append(f"{op.key} as {who}: {_show(response)} (a create must succeed)")
            elif response.status_code in (401, 403, 404) or response.status_code >= 500:
                failures.append(f"{op.key} as {who}: {_show(response)}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{op.key} as {who}: raised {exc!r}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(beta))]
    assert not failures, _report(failures)
