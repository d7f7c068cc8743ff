"""The production entry point: ``core.wsgi:app`` is the app, ready to serve."""

from __future__ import annotations

import gc

from flask import Flask

from core.app import ready_to_serve


def test_ready_to_serve_puts_start_up_objects_out_of_the_collectors_sight(app):
    before = gc.get_freeze_count()
    try:
        assert ready_to_serve(app) is app
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_wsgi_module_gives_a_configured_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/w.sqlite3")
    import importlib

    import core.wsgi

    try:
        module = importlib.reload(core.wsgi)
        assert isinstance(module.app, Flask) and "web" in module.app.blueprints
    finally:
        gc.unfreeze()
