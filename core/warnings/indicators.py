"""The warnings slice's assessment indicators (being written)."""


def indicators():
    return []
