"""The development slice's assessment indicators (being written)."""


def indicators():
    return []
