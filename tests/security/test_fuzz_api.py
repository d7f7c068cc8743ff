"""Fuzz every operation of the API from its own OpenAPI document (schemathesis, in-process).

What it proves, on SQLite and on PostgreSQL + Redis: whatever a tenant administrator sends —
input the document allows and input that breaks it — no operation answers with a 5xx, every
status it answers is documented for that operation by name (the catch-all ``default`` does not
count), and every body matches the documented schema and media type
(``response_schema_conformance``, ``content_type_conformance``).

How:

* The document is read from the app (``/api/v1/openapi.json``) and requests go to the Flask
  app through WSGI, in this process: no server, no network.
* The tenant is the demo city (``core.demo``: organisation tree, members, meetings, dues,
  points, a rated cycle, warnings, a problem, and every sector plugin's data), all plugins
  enabled, so lookups by id and filters do real work. Before fuzzing, every operation that
  lists something is read once; the ids it answers become *known ids*. In the fuzzer's copy of
  the document each path parameter, query parameter and body field that takes such an id
  accepts ``anyOf: [one of the known ids, what the document says]``, so generated cases mix
  real ids with arbitrary ones; and every operation without a request body is also tried once
  with known ids in all its path parameters (an explicit Hypothesis example). The copy only
  widens inputs: answers are checked against the same schemas, accepting what they accepted.
* Requests carry a real tenant administrator's bearer token and ``X-Tenant``; invalid cases
  may drop or mangle the token (then 401 is the documented answer).
* Order: reads, then writes, then deletes, so reads see the data whole; ``POST /auth/revoke``
  runs last because it revokes the very token the fuzzer uses. After each operation the token
  must still answer ``GET /auth/me``, so an operation that locks the fuzzer out fails the test
  instead of silently turning the rest into 401s. Nothing is excluded.

Budget: :data:`FUZZ_EXAMPLES` generated cases per operation (``DANGJIAN_FUZZ_EXAMPLES``
overrides it; 268 operations today), each drawn from valid or invalid input, plus the explicit
examples. Hypothesis is derandomized (the same cases on every run: CI is reproducible), keeps no
example database, has no deadline and does not shrink (a failure is reported as generated;
shrinking a request body can take minutes). Every operation's failure is collected and all are
reported together. ``DANGJIAN_FUZZ_ONLY=<regex on "METHOD /path">`` fuzzes only matching
operations, to chase one failure; ``DANGJIAN_FUZZ_SEED=<int>`` draws other cases than CI's, to
explore (run it with a larger ``DANGJIAN_FUZZ_EXAMPLES`` now and then).
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections import defaultdict

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.demo import assessment, data
from core.tenancy import tenant_context

FUZZ_EXAMPLES = int(os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "5"))
ONLY = os.environ.get("DANGJIAN_FUZZ_ONLY")
SEED = os.environ.get("DANGJIAN_FUZZ_SEED")  # unset: derandomized, the same cases as CI
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
KNOWN_PER_NAME = 8  # known ids offered per parameter: some variety, a short enum
METHOD_ORDER = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
LAST = {"POST /api/v1/auth/revoke"}  # revokes the fuzzer's own token: nothing may follow


def _seed_demo_city(tenant_id: int) -> None:
    """The demo city's data in this tenant, every installed plugin enabled."""
    from core.plugins import service as plugin_service
    from core.plugins.manager import installed_plugins

    with acting_as(cli_actor()), tenant_context(tenant_id):
        for name in installed_plugins():
            plugin_service.set_enabled(name, True)
        db.session.commit()
        data.ensure_tree()
        data.ensure_members()
        data.ensure_mobile_members()
        data.ensure_users()
        db.session.commit()
        data.ensure_sector_data()
        db.session.commit()
        assessment.ensure_assessment()
        db.session.commit()


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHOD_ORDER:
                yield method, path, operation


def _answers_a_list(operation: dict) -> bool:
    content = operation["responses"].get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {}).get("type") == "array"


class KnownIds:
    """Ids the tenant really has: by collection (``/api/v1/meetings`` → its items' ids, for
    the path parameter below it, ``{meeting_id}``) and by field name (every ``…_id`` an item
    carries, for query parameters and body fields of that name)."""

    def __init__(self):
        self.by_collection: dict[str, list] = {}
        self.by_field: dict[str, list] = defaultdict(list)

    def for_path_parameter(self, path: str, name: str) -> list:
        collection = path[: path.index("{" + name + "}") - 1]
        return self.by_collection.get(collection) or self.by_field.get(name, [])

    def url(self, path: str) -> str | None:
        for name in re.findall(r"\{(\w+)\}", path):
            values = self.for_path_parameter(path, name)
            if not values:
                return None
            path = path.replace("{" + name + "}", str(values[0]))
        return path

    def add_field(self, name: str, value) -> None:
        values = self.by_field[name]
        if isinstance(value, str | int) and value not in values and len(values) < KNOWN_PER_NAME:
            values.append(value)

    def read(self, client, spec: dict, headers: dict) -> None:
        """Read every list operation once, parents before the lists nested under them."""
        gets = [path for method, path, _ in _operations(spec) if method == "get"]
        lists = [p for m, p, op in _operations(spec) if m == "get" and _answers_a_list(op)]
        for _ in range(3):  # a nested list needs its parent's ids first
            for path in lists:
                url = self.url(path)
                if path in self.by_collection or url is None:
                    continue
                self.by_collection[path] = ids = []
                response = client.get(url, query_string={"page_size": 50}, headers=headers)
                if response.status_code != 200:  # a list that needs a query argument
                    continue
                child = next(
                    (
                        p[len(path) + 2 : -1]
                        for p in gets
                        if re.fullmatch(re.escape(path) + r"/\{\w+\}", p)
                    ),
                    None,
                )
                for item in response.get_json():
                    if not isinstance(item, dict):
                        continue
                    value = item.get(child, item.get("id")) if child else None
                    if value is not None and value not in ids and len(ids) < KNOWN_PER_NAME:
                        ids.append(value)
                        self.add_field(child, value)
                    for field, value in item.items():
                        if field.endswith("_id") and value is not None:
                            self.add_field(field, value)


def _widen(schema: dict, values: list) -> dict:
    values = [v for v in values if isinstance(v, str) or schema.get("type") == "integer"]
    return {"anyOf": [{"enum": values}, schema]} if values else schema


def _with_known_ids(spec: dict, known: KnownIds) -> dict:
    """The fuzzer's copy of the document: path and query parameters and body fields that take
    a known id also accept the known values."""
    for path, item in spec["paths"].items():
        operations = [op for method, op in item.items() if method in METHOD_ORDER]
        for parameter in item.get("parameters", []) + [
            p for op in operations for p in op.get("parameters", [])
        ]:
            name = parameter["name"]
            if parameter["in"] == "path":
                parameter["schema"] = _widen(
                    parameter["schema"], known.for_path_parameter(path, name)
                )
            elif parameter["in"] == "query":
                parameter["schema"] = _widen(parameter["schema"], known.by_field.get(name, []))
    for schema in spec["components"]["schemas"].values():
        for name, field in (schema.get("properties") or {}).items():
            if name in known.by_field and not field.get("readOnly"):
                schema["properties"][name] = _widen(field, known.by_field[name])
    return spec


def _explicit_case(operation, known: KnownIds):
    """A case with known ids in every path parameter, for an operation without a body."""
    names = [parameter.name for parameter in operation.path_parameters]
    if operation.body or not names:
        return None
    values = {name: known.for_path_parameter(operation.path, name) for name in names}
    if not all(values.values()):
        return None
    return operation.Case(path_parameters={name: found[0] for name, found in values.items()})


def _order(operation) -> tuple:
    method = operation.method.lower()
    return (operation.label in LAST, METHOD_ORDER[method], operation.path)


def _fuzz(operation, explicit, headers: dict, app, counts: dict) -> None:
    """Run ``operation``'s Hypothesis test; raise on the first case that fails a check."""

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(
        case=st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )
    )
    def fuzz(case):
        counts[operation.label] += 1
        response = case.call(headers=headers, app=app)
        counts["2xx"] += response.status_code < 300
        case.validate_response(
            response, checks=CHECKS, headers=headers, transport_kwargs={"app": app}
        )
        documented = {str(code) for code in operation.responses.status_codes} - {"default"}
        assert str(response.status_code) in documented, (
            f"{operation.label} answered {response.status_code}, which its document does not "
            f"name (it names {', '.join(sorted(documented))})\n{case.as_curl_command()}"
        )

    if explicit is not None:
        fuzz = hypothesis.example(case=explicit)(fuzz)
    if SEED is not None:
        fuzz = hypothesis.seed(int(SEED))(fuzz)
    fuzz()


def _failure(exc: BaseException) -> str:
    text = f"{exc.__class__.__name__}: {exc}"[:3000]
    if not isinstance(exc, AssertionError | BaseExceptionGroup):  # a bug in the harness
        text += "".join(traceback.format_exception(exc)[-8:])
    return text


def test_every_operation_survives_fuzzing_and_matches_its_document(client, tenant, auth_headers):
    started = time.monotonic()
    _seed_demo_city(tenant.id)
    headers = auth_headers(tenant, username="fuzz-admin")
    served = client.get("/api/v1/openapi.json").get_json()
    known = KnownIds()
    known.read(client, served, headers)
    assert {"org_id", "member_id", "meeting_id"} <= set(known.by_field), dict(known.by_field)
    schema = schemathesis.openapi.from_dict(
        _with_known_ids(client.get("/api/v1/openapi.json").get_json(), known)
    )
    app = client.application

    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) == sum(1 for _ in _operations(served))
    if ONLY:
        operations = [operation for operation in operations if re.search(ONLY, operation.label)]
    failures: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    fuzzing = time.monotonic()
    for operation in operations:
        try:
            _fuzz(operation, _explicit_case(operation, known), headers, app, counts)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all reported at the end
            failures[operation.label] = _failure(exc)
        if operation.label not in LAST:
            me = client.get("/api/v1/auth/me", headers=headers)
            assert me.status_code == 200, (
                f"{operation.label} locked the fuzzer out: {me.get_json()}"
            )
    done = time.monotonic()
    print(
        f"fuzzed {len(operations)} operations with {sum(counts.values()) - counts['2xx']} cases "
        f"({FUZZ_EXAMPLES} generated each, {counts['2xx']} answered 2xx) in {done - fuzzing:.0f} s; "
        f"{done - started:.0f} s in all"
    )
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
