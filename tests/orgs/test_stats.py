"""队伍结构 figures of a subtree, against counts worked out by hand."""

from __future__ import annotations

from datetime import date

from core.db import db
from core.orgs import service as orgs
from core.orgs import stats
from tests.orgs.conftest import new_member

AS_OF = date(2025, 7, 1)


def _seed():
    """R → C (B1, B2); S outside C. Members (all in C's subtree unless said):

    =====  ==============  ======  ====  ===========  ==========  =========  =============
    where  status          gender  born  education    ethnicity   joined     full_on
    =====  ==============  ======  ====  ===========  ==========  =========  =============
    C      full            male    1995-07-01 (30)    bachelor   汉族    2015-07-01 (10y)
    B1     full            female  1994-07-01 (31)    bachelor   回族    2020-07-02 (4y)
    B1     probationary    female  2000-01-01 (25)    college    汉族    2025-01-01 (0y)
    B1     mobile, full_on male    1960-07-01 (65)    None       汉族    1975-07-01 (50y)
    B2     lost_contact    male    1954-07-02 (70)    high_sch.  壮族    1985-07-01 (40y)
    B2     transferred_out male    1970-01-01         postgrad.  汉族    2000-01-01 (not active)
    S      full            female  1980-01-01         bachelor   汉族    2001-01-01 (outside)
    =====  ==============  ======  ====  ===========  ==========  =========  =============
    """
    r = orgs.create(name="市委", code="R", kind="committee")
    c = orgs.create(name="党委", code="C", kind="committee", parent=r)
    b1 = orgs.create(name="一支部", code="B1", kind="branch", parent=c)
    b2 = orgs.create(name="二支部", code="B2", kind="branch", parent=c)
    orgs.create(name="小组", code="G", kind="group", parent=b1)
    s = orgs.create(name="外支部", code="S", kind="branch", parent=r)
    new_member(c, gender="male", birth_date=date(1995, 7, 1), education="bachelor",
               joined_on=date(2015, 7, 1))
    new_member(b1, gender="female", birth_date=date(1994, 7, 1), education="bachelor",
               ethnicity="回族", joined_on=date(2020, 7, 2))
    new_member(b1, status="probationary", gender="female", birth_date=date(2000, 1, 1),
               education="college", joined_on=date(2025, 1, 1))
    new_member(b1, status="mobile", full_on=date(1976, 7, 1), birth_date=date(1960, 7, 1),
               joined_on=date(1975, 7, 1))
    new_member(b2, status="lost_contact", birth_date=date(1954, 7, 2), education="high_school",
               ethnicity="壮族", joined_on=date(1985, 7, 1))
    new_member(b2, status="transferred_out", birth_date=date(1970, 1, 1),
               education="postgraduate", joined_on=date(2000, 1, 1))
    new_member(s, gender="female", birth_date=date(1980, 1, 1), education="bachelor",
               joined_on=date(2001, 1, 1))
    db.session.commit()
    return c, s


def test_member_figures_of_a_subtree(tenant, in_tenant):
    with in_tenant(tenant):
        c, _ = _seed()
        figures = stats.member_stats(c, AS_OF)
    assert figures["total"] == 5
    assert figures["by_status"] == {
        "probationary": 1, "full": 2, "mobile": 1, "lost_contact": 1,
        "transferred_out": 1, "deceased": 0, "left": 0,
    }
    # the mobile member has full_on: full; the lost-contact one has none: probationary
    assert figures["by_membership"] == {"full": 3, "probationary": 2}
    assert figures["by_gender"] == {"male": 3, "female": 2}
    assert figures["by_age_band"] == {
        "30_and_under": 2,  # 30 today, and 25
        "31_35": 1,  # 31 today
        "36_40": 0, "41_45": 0, "46_50": 0, "51_55": 0, "56_60": 0,
        "61_70": 2,  # 65, and 70 (turns 71 tomorrow)
        "over_70": 0,
    }
    assert figures["by_education"] == {
        "postgraduate": 0, "bachelor": 2, "college": 1, "secondary_vocational": 0,
        "high_school": 1, "junior_or_below": 0, "unknown": 1,
    }
    assert figures["ethnicity"] == {
        "han": 3, "minority": 2, "by_group": {"汉族": 3, "回族": 1, "壮族": 1},
    }
    assert figures["by_standing"] == {
        "under_5": 2,  # 4 years (a day short of 5), and 0
        "5_10": 0,
        "10_20": 1,  # exactly 10
        "20_30": 0, "30_40": 0,
        "40_50": 1,  # exactly 40
        "50_and_over": 1,  # exactly 50
    }


def test_org_counts_and_the_api(client, tenant, in_tenant, auth_headers):
    with in_tenant(tenant):
        c, s = _seed()
        c_id, s_id = c.id, s.id
    headers = auth_headers(tenant)
    response = client.get(f"/api/v1/orgs/{c_id}/stats?as_of=2025-07-01", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["as_of"] == "2025-07-01" and body["org_id"] == str(c_id)
    assert body["members"]["total"] == 5
    assert body["members"]["ethnicity"]["by_group"]["回族"] == 1
    assert body["organizations"]["by_kind"] == {
        "committee": 1, "general_branch": 0, "branch": 2, "joint_branch": 0, "group": 1,
    }
    assert body["organizations"]["total"] == 4
    outsider = auth_headers(tenant, role="branch_secretary", org=s_id)
    assert client.get(f"/api/v1/orgs/{c_id}/stats", headers=outsider).status_code == 404
