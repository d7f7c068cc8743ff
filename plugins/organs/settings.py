"""Settings of the organs sector plugin (机关): the national term lengths.

Every number is a default a city may override (``dangjian plugins set organs ...``).
"""

from core.sdk import TermSettings


class OrgansSettings(TermSettings):
    """Organs use the national terms: committee 5 years, general branch and branch 3."""
