"""The API conventions' junk-input check on this slice's routes alone (the global one in
tests/api stops at the first failing route of any slice): no 500, one error shape."""

from __future__ import annotations

import re

import pytest

from tests.api.test_conventions import JUNK_BODIES, JUNK_IDS


@pytest.mark.parametrize("signed_in", [True, False])
def test_no_junk_input_yields_a_500(client, tenant, city, login, new_problem, signed_in):
    headers = login(tenant) if signed_in else {"X-Tenant": "alpha"}
    real = new_problem(login(tenant), city["X"])["id"]
    spec = client.get("/api/v1/openapi.json").get_json()
    routes = [(path, method) for path, item in spec["paths"].items() if path.startswith("/api/v1/problems")
              for method in item if method in {"get", "post", "put", "patch", "delete"}]
    assert len(routes) >= 20
    for path, method in routes:
        for junk_id in [*JUNK_IDS, real]:
            url = re.sub(r"\{[^}]+\}", junk_id, path)
            for body in [*JUNK_BODIES, '{"title": "\\u0000", "reason": "\\u0000", "version": 1}']:
                response = client.open(
                    url, method=method.upper(), data=body, headers={**headers, "Content-Type": "application/json"},
                    query_string={"page": "x", "page_size": "-5", "year": "x", "org": "\x00"},
                )
                assert response.status_code < 500, (method, url, body, response.get_data(as_text=True)[:300])
                if response.status_code >= 400:
                    assert set(response.get_json()) == {"code", "message", "errors"}, (method, url)
