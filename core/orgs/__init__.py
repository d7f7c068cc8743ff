"""The organisation tree (党组织): committees, general branches, branches and groups.

A materialised path (``path``) makes subtree queries one indexed ``LIKE 'prefix%'``.
"""
