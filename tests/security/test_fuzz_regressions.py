"""What fuzzing the API (:mod:`tests.security.test_fuzz_api`) found, each pinned by a plain test:
the 500s it hit, and where the OpenAPI document said something other than what is sent."""

from __future__ import annotations

import pytest

HUGE_PAGE = "367057289584113664"  # the fuzzer's: (page - 1) × page_size overflows a 64-bit OFFSET


@pytest.mark.parametrize("path", ["/api/v1/problems", "/api/v1/points/entries", "/api/v1/orgs"])
def test_a_page_past_any_offset_is_a_422_naming_page_not_a_500(client, tenant, auth_headers, path):
    headers = auth_headers(tenant)
    response = client.get(path, query_string={"page": HUGE_PAGE, "page_size": 384}, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert "page" in response.get_json()["errors"]
    last_allowed = client.get(
        path, query_string={"page": 1_000_000, "page_size": 100}, headers=headers
    )
    assert last_allowed.status_code == 200 and last_allowed.get_json() == []


def _spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_error_body_is_documented_as_it_is_sent(client, tenant):
    error = _spec(client)["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "errors"}
    assert error["properties"]["errors"]["nullable"] is True  # most errors have no details
    assert "status" not in error["properties"]  # never sent
    body = client.get("/api/v1/auth/me", headers={"X-Tenant": "alpha"}).get_json()
    assert set(body) == {"code", "message", "errors"} and body["errors"] is None


def test_settings_routes_document_what_they_answer_and_take(client):
    """They answered plain dicts with no 200 documented: a client (and the fuzzer) checked
    them against the error body."""
    paths = _spec(client)["paths"]
    for path in (
        "/api/v1/dues/rates",
        "/api/v1/points/settings",
        "/api/v1/problems/settings",
        "/api/v1/cycles/settings",
        "/api/v1/development/settings",
    ):
        for method in ("get", "put"):
            assert "200" in paths[path][method]["responses"], (method, path)
        assert "422" in paths[path]["put"]["responses"], path
        assert "requestBody" in paths[path]["put"], path


def test_decimals_are_documented_as_the_strings_they_are_sent_as(client, tenant, auth_headers):
    """Flask writes a ``Decimal`` as text; the document said ``number`` (and its bounds were
    strings, which made the document itself invalid)."""
    schemas = _spec(client)["components"]["schemas"]
    amount = schemas["PaymentInput"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["format"] == "decimal"
    assert isinstance(amount["maximum"], float)
    rules = client.get("/api/v1/points/rules", headers=auth_headers(tenant)).get_json()
    assert rules and all(isinstance(rule["points"], str) for rule in rules)
    assert schemas["PointRule"]["properties"]["points"]["type"] == "string"


def test_every_operation_documents_the_errors_its_kind_can_answer(client):
    paths = _spec(client)["paths"]
    org = paths["/api/v1/orgs/{org_id}"]
    assert {"400", "401", "403", "404"} <= set(org["get"]["responses"])
    assert {"400", "401", "403", "404", "409", "422"} <= set(org["patch"]["responses"])
    listing = paths["/api/v1/orgs"]["get"]["responses"]
    assert "404" in listing and "409" not in listing  # ?subtree_of= names an org; no write
    steps = paths["/api/v1/development/steps"]["get"]["responses"]
    assert "404" not in steps  # no id in its path or its input
    card = paths["/api/v1/cards/{token}"]["get"]["responses"]  # public: no token to refuse
    assert "401" not in card and "404" in card


def test_item_and_field_errors_together_are_a_422_not_a_500(client, tenant, auth_headers):
    """One threshold out of range and the four not going down: marshmallow keys the first by
    index (1) and the second by "_schema" in the same dict, which JSON encoding could not sort."""
    response = client.put(
        "/api/v1/cycles/settings",
        json={"star_thresholds": ["22", "-4", "50", "60"]},
        headers=auth_headers(tenant),
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert set(response.get_json()["errors"]["star_thresholds"]) == {"1", "_schema"}
