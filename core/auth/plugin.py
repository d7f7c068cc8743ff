"""Core's auth slice as a default plugin: what it contributes through the hooks."""

from core.plugins.hookspecs import hookimpl  # noqa: F401
