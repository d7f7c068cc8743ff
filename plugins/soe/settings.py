"""Settings of the soe sector plugin (国企): the national term lengths.

Every number is a default a city may override (``dangjian plugins set soe ...``).
"""

from core.sdk import TermSettings


class SoeSettings(TermSettings):
    """SOEs use the national terms: committee 5 years, general branch and branch 3."""
