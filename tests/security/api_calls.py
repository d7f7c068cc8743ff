"""Calling any API route of the OpenAPI document with one city's ids in its path, its query
and its body (:class:`Caller`), and reading what came back (:func:`is_error_envelope`)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from tests.security import api_routes as R
from tests.security.world import City, World, pdf

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")
PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the template without /api/v1, as the tables name it
    query: tuple[str, ...]  # its query arguments
    required: tuple[str, ...]  # those it requires
    secured: bool  # the document says it needs the bearer token

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def kinds(self) -> dict[str, str]:
        return R.PATH_KINDS.get(self.path, {})

    def path_city_kinds(self) -> list[str]:
        """The kinds in its path (and required query) that are one city's records."""
        kinds = [k for k in self.kinds().values() if k not in R.SAME_NAME_KINDS]
        return kinds + body_kinds(R.QUERIES.get(self.key))

    def body_city_kinds(self) -> list[str]:
        return body_kinds(R.BODIES.get(self.key))

    def city_kinds(self) -> list[str]:
        """The kinds in its path, query and body that are one city's records (not names
        every city shares): none means the route acts on the caller's city as a whole."""
        return self.path_city_kinds() + self.body_city_kinds()


def operations(client) -> list[Operation]:
    spec = client.get(f"{API}/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            arguments = [
                p
                for p in op.get("parameters", []) + item.get("parameters", [])
                if p.get("in") == "query"
            ]
            found.append(
                Operation(
                    method.upper(),
                    path.removeprefix(API),
                    tuple(p["name"] for p in arguments),
                    tuple(p["name"] for p in arguments if p.get("required")),
                    bool(op.get("security")),
                )
            )
    return found


def body_kinds(body) -> list[str]:
    if isinstance(body, dict):
        return [k for v in body.values() for k in body_kinds(v)]
    if isinstance(body, list):
        return [k for v in body for k in body_kinds(v)]
    if isinstance(body, str) and body.startswith("@"):
        return [body[1:]]
    return []


def is_error_envelope(response) -> bool:
    """The API's one error shape and nothing else: no record can ride along."""
    body = response.get_json(silent=True)
    return isinstance(body, dict) and set(body) == {"code", "message", "errors"}


class Caller:
    def __init__(self, world: World):
        self.world = world
        self.client = world.app.test_client()
        self._template: bytes | None = None

    def path(self, op: Operation, city: City) -> tuple[str, set[str]]:
        """The URL with ``city``'s ids in the path, and the ids it sent."""
        values = {name: city.ids[kind] for name, kind in op.kinds().items()}
        return API + PARAM.sub(lambda m: values[m.group(1)], op.path), set(values.values())

    def _fill(self, value, city: City, sent: set[str], swap=None, mark: str | None = None):
        """``value`` with ``city``'s ids and ``mark`` (default: ``city``'s); ``swap`` —
        ``(kinds, other city)`` — takes those kinds' ids from the other city instead."""
        mark = city.mark if mark is None else mark
        if isinstance(value, dict):
            return {k: self._fill(v, city, sent, swap, mark) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v, city, sent, swap, mark) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            kind = value[1:]
            source = swap[1] if swap and kind in swap[0] else city
            sent.add(source.ids[kind])
            return source.ids[kind]
        if isinstance(value, str) and value.startswith("file:"):
            content = self.template() if value == "file:template" else pdf(mark)
            return (
                io.BytesIO(content),
                "upload.xlsx" if value == "file:template" else "upload.pdf",
            )
        if isinstance(value, str):
            return value.replace("{mark}", mark)
        return value

    def template(self) -> bytes:
        if self._template is None:
            response = self.client.get(
                f"{API}/imports/members/template", headers=self.world.alpha.headers()
            )
            assert response.status_code == 200
            self._template = response.data
        return self._template

    def call(
        self,
        op: Operation,
        *,
        path_city: City,
        body_city: City | None = None,
        who: str = "admin",
        as_city: City | None = None,
        headers: dict | None = None,
        query: dict | None = None,
        swap=None,
    ):
        """Call ``op`` as user ``who`` of ``as_city`` (default: alpha), with ``path_city``'s
        ids in the path and ``body_city``'s (default: the same) in the body, except the
        body kinds ``swap`` names (``(kinds, city)``). Returns the response and every id it
        sent."""
        as_city = as_city or self.world.alpha
        body_city = body_city or path_city
        url, sent = self.path(op, path_city)
        if headers is None:
            headers = as_city.headers(who) if who else {"X-Tenant": as_city.slug}
        kwargs: dict = {"headers": headers}
        if query is None and op.key in R.QUERIES:
            query = self._fill(R.QUERIES[op.key], path_city, set())
        if query:
            kwargs["query_string"] = query
            sent.update(str(v) for v in query.values())
        body = R.BODIES.get(op.key)
        if body is R.FROM_GET:
            current = self.client.get(url, headers=headers)
            # what was read, less what the answer adds about it (which keys are overridden)
            body = current.get_json() if current.status_code == 200 else {}
            body.pop("overridden", None)
        if op.writes and body is not None:
            # texts are the caller's own: only ids come from the city aimed at
            filled = self._fill(body, body_city, sent, swap, as_city.mark)
            if any(isinstance(v, tuple) for v in filled.values()):
                kwargs.update(data=filled, content_type="multipart/form-data")
            else:
                kwargs["json"] = filled
        return self.client.open(url, method=op.method, **kwargs), sent
