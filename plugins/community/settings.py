"""Settings of the community sector plugin (社区), with the national / common defaults.

Every number is a default a city may override (``dangjian plugins set community ...``).
Community organisations serve 5 years (社区党组织 5 年). The indicator and warning
parameters that share a meaning with a setting (the staffing ratio, the minimum pay, the
venue standard, the services a registered member owes) take the setting as their default,
so a city changes a number once.
"""

from marshmallow import fields, validate

from core.sdk import FiveYearTermSettings, plugin_settings

PLUGIN = "community"


class CommunitySettings(FiveYearTermSettings):
    """Community terms (5 years) plus the community standards."""

    workers_per_10k_population = fields.Float(
        load_default=18.0,
        validate=validate.Range(min=0, max=1000),
        metadata={
            "description": "Community workers a community should have per 10,000 residents "
            "(社区工作者配备：每万名城镇常住人口不少于 18 人)."
        },
    )
    worker_min_monthly_pay_yuan = fields.Int(
        load_default=4000,
        validate=validate.Range(min=0, max=1_000_000),
        metadata={
            "description": "Lowest average monthly pay of community workers, in yuan (社区工作者"
            "待遇保障; a city sets its own, e.g. the local average wage)."
        },
    )
    venue_area_per_100_households_m2 = fields.Float(
        load_default=30.0,
        validate=validate.Range(min=0, max=10_000),
        metadata={
            "description": "Service venue area per 100 households, in m² (社区综合服务设施每百户"
            "居民不低于 30 平方米)."
        },
    )
    venue_min_area_m2 = fields.Float(
        load_default=300.0,
        validate=validate.Range(min=0, max=100_000),
        metadata={
            "description": "Smallest service venue (党群服务中心) a community should have "
            "whatever its size, in m²."
        },
    )
    registered_member_services_per_year = fields.Int(
        load_default=2,
        validate=validate.Range(min=1, max=365),
        metadata={
            "description": "Services a registered in-service member should do in the community "
            "each year (双报到党员每年到社区报到服务不少于 2 次)."
        },
    )


def settings() -> dict:
    """The community settings in effect for the current tenant."""
    return plugin_settings(PLUGIN)


def setting_default(name: str):
    """A marshmallow ``load_default`` reading setting ``name``, so an indicator or warning
    parameter follows the city's setting (outside any tenant: the default and global value,
    as :func:`core.sdk.plugin_settings` gives them)."""

    def default():
        return settings()[name]

    default.__name__ = f"setting_{name}"
    return default
