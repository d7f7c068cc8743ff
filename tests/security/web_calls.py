"""Requesting any page of the web blueprint with one city's ids (:class:`WebCaller`): a
logged-in browser session per user (through the real login form, on the city's host), the
page's URL built from its rule, and a form posted with the session's CSRF token."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from tests.security.world import City, World, pdf
from tests.support.auth import DEFAULT_PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BLUEPRINT = "web"


@dataclass(frozen=True)
class Page:
    endpoint: str  # web.<view>
    rule: str  # /problems/<problem_id>
    params: tuple[str, ...]
    methods: tuple[str, ...]  # GET and/or POST

    def key(self, method: str) -> str:
        return f"{method} {self.endpoint}"


def pages(app) -> list[Page]:
    """Every rule of the web blueprint(s) but their static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != BLUEPRINT or rule.endpoint.endswith(".static"):
            continue
        methods = tuple(sorted(m for m in rule.methods if m in ("GET", "POST")))
        found.append(Page(rule.endpoint, rule.rule, tuple(rule.arguments), methods))
    return sorted(found, key=lambda p: p.rule)


class WebCaller:
    def __init__(self, world: World, kinds: dict[str, dict[str, str]]):
        self.world, self.kinds = world, kinds
        self._sessions: dict[tuple[str, str], tuple] = {}

    def session(self, city: City, who: str):
        """``(client, csrf token)`` of ``who`` logged in to ``city`` through the form."""
        key = (city.slug, who)
        if key not in self._sessions:
            client = self.world.app.test_client()
            headers = {"Host": city.host}
            form = client.get("/login", headers=headers).get_data(as_text=True)
            done = client.post(
                "/login",
                headers=headers,
                data={
                    "csrf_token": CSRF.search(form).group(1),
                    "username": city.usernames[who],
                    "password": DEFAULT_PASSWORD,
                },
            )
            assert done.status_code == 302, (city.slug, who, done.status_code)
            home = client.get("/", headers=headers).get_data(as_text=True)
            self._sessions[key] = (client, CSRF.search(home).group(1))
        return self._sessions[key]

    def url(self, page: Page, city: City) -> tuple[str, set[str]]:
        values = {name: city.ids[kind] for name, kind in self.kinds.get(page.endpoint, {}).items()}
        path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: values[m.group(1)], page.rule)
        return path, set(values.values())

    def fill(self, form: dict, city: City, mark: str) -> dict:
        filled = {}
        for name, value in form.items():
            if isinstance(value, str) and value.startswith("@"):
                value = city.ids[value[1:]]
            elif value == "file:pdf":
                value = (io.BytesIO(pdf(mark)), "upload.pdf")
            elif isinstance(value, str):
                value = value.replace("{mark}", mark)
            filled[name] = value
        return filled

    def request(
        self,
        page: Page,
        method: str,
        *,
        path_city: City,
        who: str | None = "admin",
        as_city: City | None = None,
        form: dict | None = None,
        form_city: City | None = None,
        query: dict | None = None,
        host: str | None = None,
    ):
        """``method`` on ``page`` as ``who`` of ``as_city`` (default alpha; None: not logged
        in) with ``path_city``'s ids; returns the response and the ids it sent."""
        as_city = as_city or self.world.alpha
        path, sent = self.url(page, path_city)
        headers = {"Host": host or as_city.host}
        if who is None:
            client, token = self.world.app.test_client(), None
        else:
            client, token = self.session(as_city, who)
        kwargs: dict = {"headers": headers}
        if query:
            kwargs["query_string"] = query
            sent.update(str(v) for v in query.values())
        if method == "POST":
            data = self.fill(form or {}, form_city or path_city, as_city.mark)
            sent.update(str(v) for v in data.values() if isinstance(v, str))
            if token is not None:
                data["csrf_token"] = token
            kwargs["data"] = data
            if any(isinstance(v, tuple) for v in data.values()):
                kwargs["content_type"] = "multipart/form-data"
        return client.open(path, method=method, **kwargs), sent
