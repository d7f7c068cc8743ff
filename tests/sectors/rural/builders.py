"""Quick rural records for the tests (written as rows and flushed; the API tests go through
the service). Call inside ``in_tenant``."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from core.db import db
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.orgs.models import OrgPost
from core.sdk import set_org_attributes
from plugins.rural.models import CollectiveIncome, MemberDuty, MobileContact, Stationing

_serial = itertools.count(1)


def attributes(org, **values):
    set_org_attributes(org, values)
    db.session.flush()


def income(org, year: int, operating: str, total: str | None = None):
    row = CollectiveIncome(org_id=org.id, year=year, operating_income_wan=Decimal(operating),
                           total_income_wan=Decimal(total) if total else None)
    db.session.add(row)
    db.session.flush()
    return row


def station(org, name: str, started_on: date, ended_on: date | None = None,
            role: str = "first_secretary"):
    row = Stationing(org_id=org.id, person_name=name, role=role, dispatched_by="市农业农村局",
                     started_on=started_on, ended_on=ended_on)
    db.session.add(row)
    db.session.flush()
    return row


def duty(org, member, started_on: date, ended_on: date | None = None, name: str = "政策宣传岗"):
    row = MemberDuty(org_id=org.id, member_id=member.id, duty=name, started_on=started_on,
                     ended_on=ended_on)
    db.session.add(row)
    db.session.flush()
    return row


def contact(org, member, on: date, initiated_by: str = "branch", channel: str = "phone"):
    row = MobileContact(org_id=org.id, member_id=member.id, contacted_on=on, channel=channel,
                        initiated_by=initiated_by)
    db.session.add(row)
    db.session.flush()
    return row


def post(org, member, name: str = "secretary", started_on: date = date(2020, 1, 1)):
    row = OrgPost(org_id=org.id, post=name, member_id=member.id, started_on=started_on)
    db.session.add(row)
    db.session.flush()
    return row


def admit(org, on: date):
    """Someone admitted as a probationary member by ``org`` on ``on`` (development step 17)."""
    n = next(_serial)
    person = DevelopmentPerson(org_id=org.id, name=f"发展对象{n}", gender="male",
                               birth_date=date(1995, 1, 1), ethnicity="汉族",
                               id_number=f"RURAL-DEV-{n}", id_number_index=f"rural-dev-{n}")
    db.session.add(person)
    db.session.flush()
    db.session.add(DevelopmentStep(person_id=person.id, code=17, done_on=on))
    db.session.flush()
    return person
