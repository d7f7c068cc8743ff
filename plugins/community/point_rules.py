"""The community sector's member point rule: ``community.service`` (到社区报到服务).

Collected from the services recorded for registrations (双报到) of members of the register:
each service earns the member points on the day it was done, one entry per service
(``source_ref`` ``"community_services:<id>"``), so collecting again adds nothing. People
outside the register earn nothing here (they have no points account). One query.
"""

from __future__ import annotations

from sqlalchemy import select

from core.sdk import CollectContext, Deed, PointRule, db
from plugins.community.models import SERVICE_CATEGORY_LABELS, Registration, Service


def collect_services(ctx: CollectContext) -> list[Deed]:
    rows = db.session.execute(
        select(Registration.member_id, Registration.org_id, Service.id, Service.served_on,
               Service.category, Service.activity)
        .join(Registration, Registration.id == Service.registration_id)
        .where(Registration.member_id.is_not(None),
               Service.served_on >= ctx.start, Service.served_on <= ctx.end)
    )
    return [
        Deed(member_id=member_id, occurred_on=served_on, source_ref=f"community_services:{service_id}",
             evidence={"community_org_id": str(org_id), "service_id": str(service_id),
                       "category": SERVICE_CATEGORY_LABELS.get(category, category), "activity": activity})
        for member_id, org_id, service_id, served_on, category, activity in rows
    ]


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="community.service", name="到社区报到服务", points=2, category="volunteering",
            yearly_cap=20, collect=collect_services,
            description="在职党员到居住地社区报到后参加社区服务，每次记 2 分，每年最多 20 分"
                        "（按社区登记的服务记录自动计分）。",
        )
    ]
