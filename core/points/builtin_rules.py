"""Being written for issue 5."""


def point_rules():
    return []
