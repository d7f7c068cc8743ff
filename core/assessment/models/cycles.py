"""Assessment cycles and their results (being written for issue 5)."""

__all__: list[str] = []
