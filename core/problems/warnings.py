"""Being written for issue 5."""


def rules():
    return []
