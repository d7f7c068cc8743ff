"""Core's default standard templates (being written for issue 5)."""


def templates():
    return []
