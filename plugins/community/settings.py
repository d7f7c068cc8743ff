"""Settings of the community sector plugin (社区): community organisations serve 5 years.

Every number is a default a city may override (``dangjian plugins set community ...``).
"""

from core.sdk import FiveYearTermSettings


class CommunitySettings(FiveYearTermSettings):
    """Community committees and branches: 5-year terms (社区党组织 5 年)."""
