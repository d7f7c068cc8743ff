"""Fixtures for the plugin tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def run_cli(app_ctx):
    """``run_cli("plugins", "list")``: a ``dangjian`` command on the test app (its commands
    are the app's, added by the plugins' ``dangjian_register_cli`` hooks)."""
    runner = app_ctx.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=list(args))

    return run
