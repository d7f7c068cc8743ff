"""The warning engine (预警): rules are plugins' data, evaluated set-based per tenant.

:mod:`.rules` is the contract a rule author writes against (core's national rules are written
the same way, in the default plugins of the slices whose data they read).
"""
