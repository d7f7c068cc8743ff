"""Security headers on every response (``core.web.headers``): a strict CSP the templates can
live with, no framing, no sniffing, and HSTS only over TLS — a client cannot claim TLS by
forging the proxy's header unless the deployment trusts a proxy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.app import create_app
from core.web import headers

TEMPLATES = Path(headers.__file__).parent / "templates"


def _assert_hardened(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_api_errors_and_docs_carry_the_headers(web_as, tenant, client):
    web = web_as(tenant, "admin1")
    for response in (web.get("/"), web.get("/login"), web.get("/no-such-page"),
                     client.get("/api/v1/openapi.json"), client.get("/api/v1/orgs"),
                     client.get("/api/v1/docs/")):
        _assert_hardened(response)
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_only_over_tls(client):
    secure = client.get("/api/v1/openapi.json", base_url="https://city.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    forged = client.get("/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers  # no proxy is trusted


@pytest.mark.parametrize(("proxies", "hsts"), [(0, False), (1, True)])
def test_a_trusted_proxy_forwards_the_scheme(app, proxies, hsts):
    behind = create_app({**{k: v for k, v in app.config.items() if k.isupper()}, "TRUSTED_PROXIES": proxies})
    response = behind.test_client().get("/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is hsts


def test_templates_have_no_inline_script_style_or_handler():
    """What the CSP forbids never appears in a template: every script has a ``src``, no
    ``style`` attribute or element, no ``on…=`` handler, no ``javascript:`` link."""
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=",
                        r"javascript:"):
            offences += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert offences == []
