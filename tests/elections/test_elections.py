"""Elections (换届): recording one starts the new term; early and late elections need the
approval and stay within one year of the due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.api.errors import ApiError
from core.db import db
from core.elections import service
from core.elections.models import Election
from core.orgs import service as orgs
from core.orgs.terms import add_years, term_ends_on
from tests.life.helpers import make_org, meeting
from tests.orgs.conftest import add_members
from tests.support.auth import error_fields

TODAY = date.today()


def branch_due_on(due: date, code="B1"):
    """A branch whose 3-year term ends on ``due``."""
    root = orgs.by_code("R") or make_org("R", kind="committee")
    return orgs.create(name=code, code=code, kind="branch", parent=root,
                       founded_on=date(1990, 1, 1), term_started_on=add_years(due, -3),
                       term_years=3)


@pytest.fixture
def scope(tenant, in_tenant):
    with in_tenant(tenant):
        yield


def refused_field(org, **data) -> str:
    with pytest.raises(ApiError) as refused:
        service.record_election(org, {"held_on": TODAY, **data})
    (field,) = refused.value.errors
    return field


def test_regular_election_starts_the_new_term(scope):
    org = branch_due_on(TODAY + timedelta(days=10))
    election = service.record_election(org, {"held_on": TODAY, "notes": "选举产生新一届支委会"})
    db.session.commit()
    assert (org.term_started_on, election.kind) == (TODAY, "regular")
    assert election.due_on == TODAY + timedelta(days=10)
    assert term_ends_on(org) == add_years(TODAY, 3)

    other = branch_due_on(TODAY, "B2")  # held on the due day itself, with a new length
    service.record_election(other, {"held_on": TODAY, "term_years": 5,
                                    "term_started_on": TODAY + timedelta(days=1)})
    assert (other.term_started_on, other.term_years) == (TODAY + timedelta(days=1), 5)


def test_regular_election_must_be_on_time(scope):
    assert refused_field(branch_due_on(TODAY - timedelta(days=1)), kind="regular") == "kind"  # late
    assert refused_field(branch_due_on(TODAY + timedelta(days=91), "B2")) == "kind"  # early
    service.record_election(branch_due_on(TODAY + timedelta(days=90), "B3"), {"held_on": TODAY})


def test_early_election_within_a_year_with_approval(scope):
    org = branch_due_on(add_years(TODAY, 1))
    assert refused_field(org, kind="early") == "approval_ref"
    service.record_election(org, {"held_on": TODAY, "kind": "early", "approval_ref": "市委组〔2025〕12号",
                                  "approved_by": "市委组织部"})
    assert org.term_started_on == TODAY

    too_early = branch_due_on(add_years(TODAY, 1) + timedelta(days=1), "B2")
    assert refused_field(too_early, kind="early", approval_ref="x") == "held_on"
    assert too_early.term_started_on == add_years(add_years(TODAY, 1) + timedelta(days=1), -3)
    assert refused_field(branch_due_on(TODAY - timedelta(days=5), "B3"), kind="early", approval_ref="x") == "held_on"


def test_late_election_within_a_year_with_approval(scope):
    org = branch_due_on(add_years(TODAY, -1))
    assert refused_field(org, kind="late") == "approval_ref"
    election = service.record_election(org, {"held_on": TODAY, "kind": "late", "approval_ref": "批复1号"})
    assert election.due_on == add_years(TODAY, -1) and org.term_started_on == TODAY

    too_late = branch_due_on(add_years(TODAY, -1) - timedelta(days=1), "B2")
    assert refused_field(too_late, kind="late", approval_ref="x") == "held_on"
    assert refused_field(branch_due_on(TODAY + timedelta(days=5), "B3"), kind="late", approval_ref="x") == "held_on"


def test_other_refusals(scope):
    root = make_org("R", kind="committee")
    no_term = make_org("B0", parent=root)
    assert refused_field(no_term, kind="early", approval_ref="x") == "kind"
    service.record_election(no_term, {"held_on": TODAY})  # a first term starts
    assert no_term.term_started_on == TODAY
    group = make_org("G1", kind="group", parent=no_term)
    assert refused_field(group) == "org_id"
    assert refused_field(no_term, held_on=TODAY + timedelta(days=1)) == "held_on"
    later = branch_due_on(TODAY, "B5")
    assert refused_field(later, term_started_on=TODAY - timedelta(days=1)) == "term_started_on"


def test_election_citing_its_meeting(scope):
    org = branch_due_on(TODAY + timedelta(days=30))
    members = add_members(org, 5)
    db.session.flush()
    short = meeting(org, "general_meeting", TODAY, present=members[:4], is_election=True)
    assert refused_field(org, meeting_id=short.id) == "meeting_id"  # exactly 4/5
    valid = meeting(org, "general_meeting", TODAY, present=members, is_election=True)
    plain = meeting(org, "general_meeting", TODAY, present=members)
    assert refused_field(org, meeting_id=plain.id) == "meeting_id"
    election = service.record_election(org, {"held_on": TODAY, "meeting_id": valid.id})
    assert election.meeting_id == valid.id


def test_api(client, tenant, tenant_b, in_tenant, auth_headers):
    with in_tenant(tenant):
        b1 = branch_due_on(TODAY + timedelta(days=10))
        b2 = branch_due_on(TODAY + timedelta(days=10), "B2")
        db.session.commit()
        ids = (b1.id, b2.id)
    secretary = auth_headers(tenant, role="branch_secretary", org=ids[0])
    response = client.post("/api/v1/elections", headers=secretary,
                           json={"org_id": str(ids[0]), "held_on": TODAY.isoformat()})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["due_on"] == (TODAY + timedelta(days=10)).isoformat()
    org = client.get(f"/api/v1/orgs/{ids[0]}", headers=secretary).get_json()
    assert org["term_started_on"] == TODAY.isoformat()

    response = client.post("/api/v1/elections", headers=secretary,
                           json={"org_id": str(ids[1]), "held_on": TODAY.isoformat()})
    assert response.status_code == 404  # another branch: not theirs to see
    response = client.post("/api/v1/elections", headers=secretary,
                           json={"org_id": str(ids[0]), "held_on": TODAY.isoformat(), "kind": "early"})
    assert response.status_code == 422 and "approval_ref" in error_fields(response.get_json())
    response = client.post("/api/v1/elections", headers=secretary, json={"kind": "sometime"})
    assert response.status_code == 422 and {"org_id", "held_on", "kind"} <= error_fields(response.get_json())

    assert len(client.get("/api/v1/elections", headers=secretary).get_json()) == 1
    other = auth_headers(tenant_b)
    assert client.get("/api/v1/elections", headers=other).get_json() == []
    response = client.post("/api/v1/elections", headers=other,
                           json={"org_id": str(ids[0]), "held_on": TODAY.isoformat()})
    assert response.status_code == 404
    with in_tenant(tenant):
        assert db.session.query(Election).count() == 1
