"""The dues slice's member point rules (being written)."""


def point_rules():
    return []
