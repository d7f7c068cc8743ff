"""A real browser against a real server: the demo city served on a free local port, driven
through Playwright in Debian's Chromium (``/usr/bin/chromium``, headless). Screenshots of the
screens go to ``$DANGJIAN_SCREENSHOTS`` (default ``build/screenshots``) for review.

Without Chromium the tests are skipped — unless ``DANGJIAN_REQUIRE_SERVICES`` is set (as
``.ci/run`` does, after installing it), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[3]
SHOTS = Path(os.environ.get("DANGJIAN_SCREENSHOTS", REPO / "build" / "screenshots"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("DANGJIAN_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """``(folder, passwords)``: the demo city built once by ``dangjian demo --no-serve``."""
    folder = tmp_path_factory.mktemp("browser-demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_") and k != "REDIS_URL"}
    env.update(DANGJIAN_INSTANCE_PATH=str(folder), DATABASE_URL=f"sqlite:///{folder}/demo.sqlite3",
               TENANTS_DIR=str(REPO / "tenants"), DANGJIAN_SECRET_KEY="browser-tests")
    done = subprocess.run([sys.executable, "-c", "from core.cli import main; main()", "demo", "--no-serve"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, dict(re.findall(r"user (\w+)\s+password (\S+)", done.stdout))


@pytest.fixture(scope="module")
def demo_site(demo_build, tmp_path_factory):
    """``(base_url, passwords)``: a private copy of the demo city for this test module (so
    one module's changes never show in another's), served by the real app in a thread."""
    built, passwords = demo_build
    folder = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(built, folder, dirs_exist_ok=True)
    variables = {"DANGJIAN_INSTANCE_PATH": str(folder), "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
                 "TENANTS_DIR": str(REPO / "tenants"), "DANGJIAN_SECRET_KEY": "browser-tests"}
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        from core.app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": variables["DATABASE_URL"], "REDIS_URL": None})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", passwords
    server.shutdown()


@pytest.fixture
def browser_page(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in through the form (the page then shows the dashboard or the error)."""
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
