"""Tenant isolation and roles on every page of the web app (issue 9).

The same two cities as the API suite (:mod:`tests.security.world`); alpha's users log in
through the real login form on alpha's host. The pages are read from the app's URL map when
the tests run and :mod:`tests.security.web_routes` says where each page's ids come from, so a
new page is covered (or fails :func:`test_every_page_is_known` until it is described).

Proven page by page (failures are collected and reported together):

* nobody gets a page without logging in but from :data:`web_routes.PUBLIC`;
* a page naming one of beta's records is 404 without beta's data, while the same page naming
  alpha's record answers 200 to the least role allowed;
* lists, figures and exports show none of beta's data, also filtered by beta's records;
* alpha's session cookie is nobody on beta's host;
* a form naming beta's records (in its URL, or by id or organisation code in its fields) is
  refused and leaves beta (and alpha) as they were;
* a role below the one a page needs gets 403 (or 404 where existence is hidden) with none of
  the record on the error page, and alpha's rows stay as they were;
* last, every form reaches alpha's own record for the least role allowed, beta untouched.
"""

from __future__ import annotations

import re

import pytest

from tests.security import web_routes as W
from tests.security.web_calls import Page, WebCaller, pages
from tests.security.world import MARKS, ROLE_OF, Watch, changed, readable, snapshot, world_fixture  # noqa: F401

RANK = {
    "member": 0,
    "branch_secretary": 1,
    "org_manager": 2,
    "tenant_admin": 3,
    "platform_operator": 4,
}
LABEL = {role: label for label, role in ROLE_OF.items()}
VOLATILE = ("api_tokens", "audit_entries", "users")
CSRF_EXPIRED = "表单已过期"  # the zh text of the CSRF error page


@pytest.fixture(scope="module")
def web(world):
    return WebCaller(world, W.PAGE_KINDS)


@pytest.fixture(scope="module")
def all_pages(world) -> list[Page]:
    return pages(world.app)


def _city_kinds(page: Page) -> list[str]:
    return [k for k in W.PAGE_KINDS.get(page.endpoint, {}).values() if k not in W.SAME_NAME_KINDS]


def _form_kinds(key: str) -> list[str]:
    return [
        v[1:] for v in W.FORMS.get(key, {}).values() if isinstance(v, str) and v.startswith("@")
    ]


def _least(key: str) -> str:
    return LABEL[W.MIN_ROLE.get(key, "member")]


def _show(response) -> str:
    where = (
        f" → {response.headers.get('Location')}" if response.status_code in (301, 302, 303) else ""
    )
    return f"{response.status_code}{where}"


def _report(failures: list[str]) -> str:
    return f"{len(failures)} failure(s):\n" + "\n".join(failures)


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _refusal(world, response, sent, allowed) -> str | None:
    problems = []
    if response.status_code not in allowed:
        problems.append(f"status {_show(response)} (want one of {allowed})")
    leaks = world.leaks(response.data, sent)
    if leaks:
        problems.append(f"beta's data on the page: {leaks[:5]}")
    return "; ".join(problems) or None


def _requests(all_pages):
    for page in all_pages:
        for method in page.methods:
            yield page, method, page.key(method)


def test_every_page_is_known(web, all_pages, world):
    """Every page has a source of ids in both cities for each URL parameter; every form field
    naming a record has them too; the tables name only pages that exist; and a page answers
    someone who is not logged in only if it is public on purpose (others: the login form)."""
    failures = []
    endpoints = {p.endpoint for p in all_pages}
    keys = {key for _, _, key in _requests(all_pages)}
    for page, method, key in _requests(all_pages):
        kinds = W.PAGE_KINDS.get(page.endpoint, {})
        for param in page.params:
            if param not in kinds:
                failures.append(
                    f"{key} {page.rule}: no source of ids in the other city for <{param}>"
                )
        for kind in (
            list(kinds.values())
            + _form_kinds(key)
            + list(W.QUERY_KINDS.get(page.endpoint, {}).values())
        ):
            for city in (world.alpha, world.beta):
                if kind not in city.ids:
                    failures.append(f"{key}: the world has no {kind!r} in {city.slug}")
        if failures and failures[-1].startswith(key):
            continue
        response, sent = web.request(page, method, path_city=world.alpha, who=None)
        public = key in W.PUBLIC
        refused = _to_login(response) or (method == "POST" and response.status_code == 400)
        if not public and not refused:
            failures.append(f"{key}: answers {_show(response)} without a login (not in PUBLIC)")
        if world.leaks(response.data, sent):
            failures.append(f"{key}: beta's data without a login")
    for table, names in (("FORMS", W.FORMS), ("PUBLIC", W.PUBLIC)):
        failures += [f"{table}: {key} is no page" for key in names if key not in keys]
    failures += [f"PAGE_KINDS: {e} is no page" for e in W.PAGE_KINDS if e not in endpoints]
    failures += [f"QUERY_KINDS: {e} is no page" for e in W.QUERY_KINDS if e not in endpoints]
    failures += [
        f"MIN_ROLE: {k} names no page" for k in W.MIN_ROLE if k.split()[1] not in endpoints
    ]
    assert not failures, _report(failures)
    assert len(keys) > 100


def test_every_url_of_the_app_is_a_route_a_page_or_public_on_purpose(web, all_pages, world):
    """The URL map holds nothing the two suites do not cover: each rule is an operation of the
    OpenAPI document (``test_isolation_api``), a page here, or in ``OTHER_PUBLIC``; and what
    those serve without a login holds nothing of either city."""
    from tests.security.api_calls import operations

    client = world.app.test_client()
    documented = {(op.method, "/api/v1" + op.path) for op in operations(client)}
    covered = {p.endpoint for p in all_pages}
    failures = []
    for rule in world.app.url_map.iter_rules():
        template = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule)
        methods = {m for m in rule.methods if m not in ("HEAD", "OPTIONS")}
        if rule.endpoint in covered or rule.endpoint in W.OTHER_PUBLIC:
            continue
        missing = {m for m in methods if (m, template) not in documented}
        if missing:
            failures.append(
                f"{sorted(missing)} {rule.rule} ({rule.endpoint}): not an API route, a page "
                "or in OTHER_PUBLIC"
            )
    failures += [
        f"OTHER_PUBLIC: {e} is no rule"
        for e in W.OTHER_PUBLIC
        if e not in {r.endpoint for r in world.app.url_map.iter_rules()}
    ]
    for path in ("/api/v1/openapi.json", "/api/v1/docs/"):
        response = client.get(path, headers={"Host": world.alpha.host})
        if (
            response.status_code != 200
            or world.leaks(response.data)
            or MARKS["alpha"] in response.get_data(as_text=True)
        ):
            failures.append(f"{path}: {_show(response)} or a city's data in it")
    assert not failures, _report(failures)


def test_pages_of_another_citys_records_are_404_without_its_data(web, all_pages, world):
    failures, checked = [], 0
    for page in all_pages:
        if "GET" not in page.methods or not _city_kinds(page):
            continue
        checked += 1
        key = page.key("GET")
        try:
            response, sent = web.request(page, "GET", path_city=world.beta)
            why = _refusal(world, response, sent, (403, 404))
            if why:
                failures.append(f"{key} with beta's ids: {why}")
            least = _least(key)
            own, _ = web.request(page, "GET", path_city=world.alpha, who=least)
            if own.status_code != 200:
                failures.append(f"{key} with alpha's own ids as {least}: {_show(own)} (want 200)")
        except Exception as exc:  # noqa: BLE001 - reported with the page
            failures.append(f"{key}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 25


def test_pages_show_nothing_of_another_city(web, all_pages, world):
    """Lists, dashboards, figures and exports as alpha's administrator — plainly and with each
    filter set to beta's record: never beta's data (a filter on beta's record: 404/422/empty)."""
    failures, checked = [], 0
    for page in all_pages:
        if "GET" not in page.methods or page.key("GET") in W.PUBLIC:
            continue
        key = page.key("GET")
        try:
            if not _city_kinds(page):
                checked += 1
                response, sent = web.request(page, "GET", path_city=world.alpha)
                if response.status_code >= 500 or world.leaks(response.data, sent):
                    failures.append(
                        f"{key}: {_show(response)} {world.leaks(response.data, sent)[:5]}"
                    )
            for name, kind in W.QUERY_KINDS.get(page.endpoint, {}).items():
                checked += 1
                response, sent = web.request(
                    page, "GET", path_city=world.alpha, query={name: world.beta.ids[kind]}
                )
                if response.status_code not in (200, 404, 422) or world.leaks(response.data, sent):
                    failures.append(
                        f"{key}?{name}=<beta's {kind}>: {_show(response)} "
                        f"{world.leaks(response.data, sent)[:5]}"
                    )
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{key}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 30


def test_a_session_of_one_city_is_nobody_in_another(web, all_pages, world):
    """Alpha's administrator's session cookie presented on beta's host: every page that needs a
    login sends it to the login form (a form: that, or the CSRF refusal), beta unchanged."""
    client, token = web.session(world.alpha, "admin")
    name = world.app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name, domain=world.alpha.host)
    assert cookie is not None, "the login left no session cookie"
    stranger = world.app.test_client()
    stranger.set_cookie(name, cookie.value, domain=world.beta.host)
    # the cookie is alpha's logged-in session: on alpha's host it is a user
    mine = world.app.test_client()
    mine.set_cookie(name, cookie.value, domain=world.alpha.host)
    assert mine.get("/", headers={"Host": world.alpha.host}).status_code == 200
    before = snapshot(world.beta.tenant_id)
    failures = []
    for page, method, key in _requests(all_pages):
        if key in W.PUBLIC:
            continue
        path, sent = web.url(page, world.beta)
        data = {"csrf_token": token} if method == "POST" else None
        response = stranger.open(path, method=method, headers={"Host": world.beta.host}, data=data)
        refused = _to_login(response) or (method == "POST" and response.status_code == 400)
        if not refused or world.leaks(response.data, sent):
            failures.append(f"{key}: {_show(response)} {world.leaks(response.data, sent)[:5]}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(world.beta.tenant_id))]
    assert not failures, _report(failures)


def test_forms_with_another_citys_ids_are_refused_and_change_nothing(web, all_pages, world):
    beta = world.beta.tenant_id
    before, watch = snapshot(beta), Watch(beta)
    failures, checked = [], 0
    for page in all_pages:
        key = page.key("POST")
        if "POST" not in page.methods or not (_city_kinds(page) or _form_kinds(key)):
            continue
        checked += 1
        # a record named only in a field is answered beside the field (422)
        allowed = (403, 404) if _city_kinds(page) else (403, 404, 422)
        try:
            response, sent = web.request(page, "POST", path_city=world.beta, form=W.FORMS.get(key))
            why = _refusal(world, response, sent, allowed)
            if why:
                failures.append(f"{key} with beta's ids: {why}")
            moved = watch.moved()
            if moved:
                failures.append(f"{key} with beta's ids changed beta's {moved}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{key}: raised {exc!r}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(beta))]
    assert not failures, _report(failures)
    assert checked > 35


def test_forms_pointing_at_another_citys_records_change_nothing(web, all_pages, world):
    """A form on alpha's own page whose fields name beta's record (an organisation code, a
    member to link or to record dues for, a cycle's root): refused beside the field, neither
    city changed."""
    watches = Watch(world.alpha.tenant_id, skip=VOLATILE), Watch(world.beta.tenant_id)
    failures, checked = [], 0
    for page in all_pages:
        key = page.key("POST")
        if "POST" not in page.methods or not _form_kinds(key):
            continue
        checked += 1
        try:
            response, sent = web.request(
                page, "POST", path_city=world.alpha, form=W.FORMS[key], form_city=world.beta
            )
            why = _refusal(world, response, sent, (403, 404, 409, 422))
            if why:
                failures.append(f"{key} with beta's {_form_kinds(key)}: {why}")
            moved = watches[0].moved() + watches[1].moved()
            if moved:
                failures.append(f"{key} with beta's {_form_kinds(key)} changed {moved}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{key}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked >= 5


def test_lower_roles_are_refused_with_none_of_the_record(web, all_pages, world):
    """Each role below the one a page needs (granted on the whole tree: the role is what is
    missing, not the scope) is refused on alpha's own records, and the error page shows none of
    them (alpha's records carry its mark; its users' names do not)."""
    watch = Watch(world.alpha.tenant_id, skip=VOLATILE)
    failures, checked = [], 0
    for page, method, key in _requests(all_pages):
        need = W.MIN_ROLE.get(key)
        if need is None:
            continue
        for role in [r for r in RANK if RANK[r] < RANK[need]]:
            checked += 1
            who = LABEL[role]
            try:
                response, sent = web.request(
                    page, method, path_city=world.alpha, who=who, form=W.FORMS.get(key)
                )
                why = _refusal(world, response, sent, (403, 404))
                if why:
                    failures.append(f"{key} as {who}: {why}")
                elif MARKS["alpha"] in readable(response.data):
                    failures.append(f"{key} as {who}: the refusal shows alpha's record")
                moved = watch.moved() if method == "POST" else []
                if moved:
                    failures.append(f"{key} as {who} changed alpha's {moved}")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{key} as {who}: raised {exc!r}")
    assert not failures, _report(failures)
    assert checked > 150


def _positive_order(item):
    page, _method, key = item
    # the user whose password, activity and grants change goes last; so does logging out
    return (page.endpoint.startswith("web.admin_user_"), page.endpoint == "web.logout", key)


def test_the_least_role_reaches_its_own_records_with_every_form(web, all_pages, world):
    """Runs last: it changes alpha. Each form, posted by the least role it allows on alpha's own
    records, is neither refused, nor 'not found', nor sent to the login form, nor a CSRF failure,
    nor a 500; beta stays untouched throughout (sweeps and settings included)."""
    beta = world.beta.tenant_id
    before = snapshot(beta)
    failures = []
    posts = [item for item in _requests(all_pages) if item[1] == "POST"]
    for page, method, key in sorted(posts, key=_positive_order):
        who = _least(key)
        try:
            if key in W.PUBLIC:
                web._sessions.pop((world.alpha.slug, "member"), None)  # a session of its own
                response, _ = web.request(page, method, path_city=world.alpha, who="member")
                web._sessions.pop((world.alpha.slug, "member"), None)
                if page.endpoint == "web.logout" and not _to_login(response):
                    failures.append(f"{key}: {_show(response)} (want the login form)")
                continue
            response, _ = web.request(
                page, method, path_city=world.alpha, who=who, form=W.FORMS.get(key)
            )
            body = readable(response.data)
            if (
                response.status_code in (401, 403, 404)
                or response.status_code >= 500
                or _to_login(response)
                or CSRF_EXPIRED in body
            ):
                failures.append(f"{key} as {who}: {_show(response)}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{key} as {who}: raised {exc!r}")
    failures += [f"beta's {t} changed" for t in changed(before, snapshot(beta))]
    assert not failures, _report(failures)
