"""Every model, imported in one place so the metadata is complete (Alembic, tests)."""

from __future__ import annotations


def load_all_models() -> None:
    """Import core's models and load every plugin (plugins import their own models)."""
    import core.audit.models  # noqa: F401
    import core.auth.models  # noqa: F401
    import core.development.models  # noqa: F401
    import core.dues.models  # noqa: F401
    import core.elections.models  # noqa: F401
    import core.jobs.models  # noqa: F401
    import core.life.models  # noqa: F401
    import core.members.models  # noqa: F401
    import core.orgs.models  # noqa: F401
    import core.plugins.models  # noqa: F401
    import core.tenancy.models  # noqa: F401
    import core.transfers.models  # noqa: F401
    import core.warnings.models  # noqa: F401
    from core.plugins.manager import get_manager

    get_manager()
