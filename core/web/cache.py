"""A short-lived, per-process cache of expensive page figures (a city dashboard's aggregates).

A dashboard over 100,000 members is a dozen aggregate scans; its figures change slowly (the
warnings move with the nightly sweep) and staff open it many times a day. Each worker
process keeps the figures it computed for ``DASHBOARD_CACHE_SECONDS`` (default 120; 0 turns
the cache off), keyed by tenant, organisation, **user** (what a user may see decides the
figures) and day; the page says when they were computed and ``?fresh=1`` recomputes them.
Nothing personal is cached beyond what the same user's own page shows.

In-process (cachelib's ``SimpleCache``) on purpose: no serialisation of ORM objects, no
dependency on Redis being up, bounded size.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from cachelib import SimpleCache
from flask import current_app

DEFAULT_SECONDS = 120
MAX_ENTRIES = 500


def _cache() -> SimpleCache:
    return current_app.extensions.setdefault("dangjian_web_cache", SimpleCache(threshold=MAX_ENTRIES))


def remember(key: tuple, compute: Callable[[], dict], *, fresh: bool = False) -> tuple[dict, datetime]:
    """``(value, computed_at)``: the cached value of ``key`` or ``compute()``'s, stored."""
    seconds = int(current_app.config.get("DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))
    name = repr(key)
    if seconds > 0 and not fresh:
        hit = _cache().get(name)
        if hit is not None:
            return hit
    value = (compute(), datetime.now(UTC))
    if seconds > 0:
        _cache().set(name, value, timeout=seconds)
    return value
