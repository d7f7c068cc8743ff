"""Being written for issue 5."""


def indicators():
    return []
