"""dangjian core: the app factory, tenancy, the plugin manager and the domain slices.

Plugin authors import only from :mod:`core.sdk`; everything else here is internal.
"""
