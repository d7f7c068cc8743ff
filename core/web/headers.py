"""Security headers on every response, pages and API alike (等保 2.0's basics).

* ``Content-Security-Policy`` — scripts, styles, images, fonts and requests from this site
  only, no inline script or style (the templates have none; a test keeps it so), no plugins,
  no ``<base>`` or form posts elsewhere, and no framing (``frame-ancestors 'none'``);
  ``data:`` images only, for the API documentation's stylesheet icons.
* ``X-Frame-Options: DENY`` — the same for browsers that predate ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (a page's address,
  which may carry a member's id, never leaves the site), ``Cross-Origin-Opener-Policy``.
* ``Strict-Transport-Security`` — only on a request that came over TLS: sent over plain HTTP
  it would be meaningless, and on an intranet without TLS harmful. Behind a reverse proxy
  that terminates TLS, set ``TRUSTED_PROXIES`` to the number of proxies in front so the
  scheme they forward (``X-Forwarded-Proto``) is believed — and only then: a client cannot
  claim TLS by sending the header itself.

Nothing here is configurable per tenant: the policy is the product's.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def install(app: Flask) -> None:
    """Add the headers to every response of ``app``; trust ``TRUSTED_PROXIES`` proxies'
    forwarded scheme and client address."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
