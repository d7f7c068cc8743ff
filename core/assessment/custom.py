"""Being written for issue 5."""


def custom_indicators():
    return {}
