"""Benchmark: pages and API under load — wrk in a second process against gunicorn with the
production entry point (``core.wsgi:app``), on loopback.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/load.py [--tenant city] [--profile city] [--workers 2]
                                       [--connections 8] [--seconds 20]

Needs ``wrk`` (Debian: ``apt-get install wrk``) and gunicorn (``pip install '.[server]'``).
Prepares the tenant with :func:`bench.city_tenant.prepare` (the seeded, swept and rated city
and the administrator this script logs in as; reused as it is when seeded already). Starts
gunicorn with ``--workers`` workers on a free port, logs in through the web form (the
session cookie) and takes an API token, then runs wrk for ``--seconds`` against each target
— the dashboard of the city root (as a browser gets it: the per-worker cache of its figures
warm after the first request), the member list's first page, the largest branch's
organisation page, and the same through the JSON API — printing requests/s and the latency
percentiles wrk measured (p50/p95/p99). Target: dashboard p95 ≤ 100 ms at 2 workers.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import city_tenant  # noqa: E402  (bench/city_tenant.py: the seeded city and its administrator)
import web_pages  # noqa: E402  (bench/web_pages.py: the sample ids)

REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f %.1f %d\\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(base: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (no city on a bare address: 404)
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def _log_in(base: str, tenant: str) -> tuple[str, str]:
    """The session cookie of a logged-in web session, and an API token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Tenant": tenant}
    page = opener.open(urllib.request.Request(f"{base}/login", headers=headers)).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": city_tenant.USERNAME,
                                   "password": city_tenant.PASSWORD}).encode()
    opener.open(urllib.request.Request(f"{base}/login", data=form, headers=headers))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    body = json.dumps({"username": city_tenant.USERNAME, "password": city_tenant.PASSWORD}).encode()
    answer = urllib.request.urlopen(urllib.request.Request(
        f"{base}/api/v1/auth/token", data=body,
        headers={**headers, "Content-Type": "application/json"}))
    return cookie, json.loads(answer.read())["access_token"]


def _wrk(url: str, headers: dict, args, script: str) -> dict:
    command = ["wrk", f"-t{min(2, args.connections)}", f"-c{args.connections}", f"-d{args.seconds}s",
               "-s", script, url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    requests, duration_us, p50, p95, p99, slowest, errors = line.split()[1:]
    return {"rps": int(requests) / (int(duration_us) / 1e6), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "max": float(slowest), "errors": int(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default=city_tenant.SLUG)
    parser.add_argument("--profile", default="city", help="dangjian seed's profile, when the tenant is new")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()

    app = city_tenant.open_app()
    with app.app_context():
        city_tenant.prepare(args.tenant, args.profile)
        ids = web_pages._samples(args.tenant)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "core.wsgi:app", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy())
    try:
        _wait(base)
        cookie, token = _log_in(base, args.tenant)
        web = {"X-Tenant": args.tenant, "Cookie": cookie}
        api = {"X-Tenant": args.tenant, "Authorization": f"Bearer {token}"}
        targets = [
            ("web: dashboard, city root", f"{base}/", web),
            ("web: member list, first page", f"{base}/members", web),
            ("web: organisation page", f"{base}/orgs/{ids['branch']}", web),
            ("API: city root's figures (stats)", f"{base}/api/v1/orgs/{ids['root']}/stats", api),
            ("API: members, first page", f"{base}/api/v1/members?page_size=50", api),
            ("API: organisation", f"{base}/api/v1/orgs/{ids['branch']}", api),
        ]
        print(f"gunicorn {args.workers} workers, wrk {args.connections} connections × {args.seconds} s\n")
        print(f"{'target':<36} {'req/s':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>6}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(REPORT)
        for label, url, headers in targets:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read()  # warm
            got = _wrk(url, headers, args, handle.name)
            print(f"{label:<36} {got['rps']:>7.1f} {got['p50']:>6.1f}ms {got['p95']:>6.1f}ms "
                  f"{got['p99']:>6.1f}ms {got['max']:>6.1f}ms {got['errors']:>6}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
