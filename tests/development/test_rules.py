"""One test per rule a step must pass: breaking it is a 422 naming the rule, the boundary
passes. Every person applies four years ago (so every date is in the past) and follows the
valid timeline of :mod:`tests.development.helpers` up to the step under test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.development.rules import add_months
from core.members.validation import add_years
from tests.development.conftest import applicant_body, four_years_ago, rule_codes
from tests.development.helpers import at, branch_meeting_day, timeline

DAY = timedelta(days=1)


@pytest.fixture
def start():
    return four_years_ago()


@pytest.fixture
def post(client, secretary):
    def run(person_id, code, done_on, **extra):
        body = {"code": code, "done_on": done_on.isoformat(), **extra}
        return client.post(f"/api/v1/development/{person_id}/steps", json=body, headers=secretary)

    return run


def created(response, status=201):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def payload(start, code, introducers=()):
    return next(s for s in timeline(start, introducers) if s["code"] == code)


def test_min_age(client, tree, secretary):
    birth = date(2004, 2, 29)
    adult = add_years(birth, 18)  # 2022-03-01
    young = client.post("/api/v1/development", json=applicant_body(tree["X"], adult - DAY, birth=birth),
                        headers=secretary)
    assert rule_codes(young) == ["min_age"]
    assert "年满18周岁" in young.get_json()["errors"]["rules"][0]["name"]
    created(client.post("/api/v1/development", json=applicant_body(tree["X"], adult, birth=birth),
                        headers=secretary))


def test_talk_within_a_month(walk, post, start):
    person_id = walk(start, 1)
    assert rule_codes(post(person_id, 2, add_months(start, 1) + DAY)) == ["talk_within"]
    created(post(person_id, 2, add_months(start, 1)))


def test_step_order(walk, post, start):
    person_id = walk(start, 1)
    assert rule_codes(post(person_id, 3, at(start, 3))) == ["step_order"]
    assert rule_codes(post(person_id, 2, start - DAY)) == ["step_order"]
    created(post(person_id, 2, start))
    created(post(person_id, 3, start))


def test_contacts_count(walk, post, start):
    person_id = walk(start, 4)
    day = at(start, 3, 10)
    assert rule_codes(post(person_id, 5, day, contacts=["甲", "乙", "丙"])) == ["contacts_count"]
    assert rule_codes(post(person_id, 5, day)) == ["contacts_count"]
    created(post(person_id, 5, day, contacts=["甲", "乙"]))


def test_activist_review_every_six_months(walk, post, start):
    activist = at(start, 3)
    late = walk(start, 5)
    created(post(late, 6, add_months(activist, 6) + DAY))
    assert rule_codes(post(late, 7, add_months(activist, 12) + DAY)) == ["activist_review"]
    never = walk(start, 5)
    assert rule_codes(post(never, 7, add_months(activist, 12))) == ["step_order", "activist_review"]
    on_time = walk(start, 5)
    created(post(on_time, 6, add_months(activist, 6)))
    created(post(on_time, 7, add_months(activist, 12)))


def test_a_year_as_activist(walk, post, start):
    person_id = walk(start, 6)
    ready = add_months(at(start, 3), 12)
    assert rule_codes(post(person_id, 7, ready - DAY)) == ["activist_min_period"]
    created(post(person_id, 7, ready))


def test_introducers_are_two_full_members(walk, post, start, tenant, tree, add_member, introducers):
    person_id = walk(start, 8)
    day = at(start, 16, 10)
    probationary = add_member(tenant, tree["X"], status="probationary", full_on=None,
                              joined_on=(day - DAY).isoformat())
    full_later = add_member(tenant, tree["X"], joined_on="2015-01-01", full_on=(day + DAY).isoformat())
    one, two = (str(i) for i in introducers)
    for ids in ([one], [one, one], [one, str(probationary)], [one, str(full_later)],
                [one, "01900000-0000-7000-8000-000000000000"], [one, two, str(full_later)]):
        assert rule_codes(post(person_id, 9, day, introducer_ids=ids)) == ["introducers"], ids
    step = created(post(person_id, 9, day, introducer_ids=[one, two]))
    assert step["details"]["introducer_ids"] == [one, two]


def test_training_length(walk, post, start, introducers):
    person_id = walk(start, 10, introducers)
    day = at(start, 17, 10)
    assert rule_codes(post(person_id, 11, day, training_days=2, training_hours=23)) == ["training_length"]
    created(post(person_id, 11, day, training_days=2, training_hours=24))
    other = walk(start, 10, introducers[::-1])
    created(post(other, 11, day, training_days=3))


def test_public_notice(walk, post, start, introducers):
    person_id = walk(start, 11, introducers)
    day = at(start, 18)
    assert rule_codes(post(person_id, 12, day)) == ["public_notice"]
    four = {"public_notice_from": (day - 4 * DAY).isoformat(), "public_notice_to": (day - DAY).isoformat()}
    assert rule_codes(post(person_id, 12, day, **four)) == ["public_notice"]
    after = {"public_notice_from": (day - 4 * DAY).isoformat(), "public_notice_to": (day + DAY).isoformat()}
    assert rule_codes(post(person_id, 12, day, **after)) == ["public_notice"]
    five = {"public_notice_from": (day - 5 * DAY).isoformat(), "public_notice_to": (day - DAY).isoformat()}
    created(post(person_id, 12, day, **five))


def test_pre_review_by_the_higher_committee(walk, post, start, introducers):
    person_id = walk(start, 12, introducers)
    assert rule_codes(post(person_id, 14, at(start, 18, 10))) == ["pre_review"]
    created(post(person_id, 13, at(start, 18, 5)))
    created(post(person_id, 14, at(start, 18, 10)))


def test_political_review_valid_a_year(walk, post, start, introducers, client, secretary):
    person_id = walk(start, 10, introducers)
    review = at(start, 17)
    valid_until = add_months(review, 12)
    for code in (11, 12):
        created(post(person_id, code, valid_until - 40 * DAY, **{
            k: v for k, v in payload(start, code).items() if k not in ("code", "done_on")}))
    created(post(person_id, 13, valid_until - 20 * DAY))
    created(post(person_id, 14, valid_until - 10 * DAY))
    assert rule_codes(post(person_id, 15, valid_until + DAY)) == ["political_review_valid"]
    created(post(person_id, 15, valid_until))


def test_branch_meeting_within_a_month_of_pre_review(walk, post, start, introducers):
    person_id = walk(start, 14, introducers)
    pre_review = at(start, 18, 5)
    assert rule_codes(post(person_id, 15, add_months(pre_review, 1) + DAY)) == ["branch_meeting_within"]
    created(post(person_id, 15, add_months(pre_review, 1)))


def test_approval_within_three_months(walk, post, start, introducers):
    person_id = walk(start, 16, introducers)
    meeting = branch_meeting_day(start)
    assert rule_codes(post(person_id, 17, add_months(meeting, 3) + DAY)) == ["approval_within"]
    created(post(person_id, 17, add_months(meeting, 3)))


def test_conversion_only_after_probation_and_voted_within_a_month(walk, post, start, introducers):
    person_id = walk(start, 21, introducers)
    ends = add_months(branch_meeting_day(start), 12)
    created(post(person_id, 22, ends - 10 * DAY))
    assert rule_codes(post(person_id, 23, ends - DAY)) == ["probation_complete"]
    assert rule_codes(post(person_id, 23, add_months(ends - 10 * DAY, 1) + DAY)) == ["conversion_vote_within"]
    created(post(person_id, 23, add_months(ends - 10 * DAY, 1)))


def test_conversion_approved_within_three_months(walk, post, start, introducers):
    person_id = walk(start, 23, introducers)
    meeting = at(start, 31)
    assert rule_codes(post(person_id, 24, add_months(meeting, 3) + DAY)) == ["conversion_approval_within"]
    created(post(person_id, 24, add_months(meeting, 3)))


def test_extension_once_by_six_to_twelve_months(client, secretary, walk, post, start, introducers):
    person_id = walk(start, 21, introducers)
    url = f"/api/v1/development/{person_id}/extension"
    decided = add_months(branch_meeting_day(start), 11).isoformat()
    for months in (5, 13):
        assert rule_codes(client.post(url, json={"months": months, "on": decided, "reason": "考察"},
                                      headers=secretary)) == ["extension_length"]
    extended = created(client.post(url, json={"months": 6, "on": decided, "reason": "需继续考察"},
                                   headers=secretary), 200)
    ends = add_months(branch_meeting_day(start), 18)
    assert (extended["extension_months"], extended["probation_ends_on"]) == (6, ends.isoformat())
    assert rule_codes(client.post(url, json={"months": 6, "on": decided, "reason": "再延"},
                                  headers=secretary)) == ["extension_once"]
    # the conversion now waits for the extended probation, and full_on is its end
    created(post(person_id, 22, ends - 10 * DAY))
    assert rule_codes(post(person_id, 23, ends - DAY)) == ["probation_complete"]
    created(post(person_id, 23, ends))
    created(post(person_id, 24, ends + DAY))
    person = client.get(f"/api/v1/development/{person_id}", headers=secretary).get_json()
    member = client.get(f"/api/v1/members/{person['member_id']}", headers=secretary).get_json()
    assert (member["status"], member["full_on"]) == ("full", ends.isoformat())


def test_only_a_probationary_member_is_extended(client, secretary, walk, start):
    person_id = walk(start, 3)
    answer = client.post(f"/api/v1/development/{person_id}/extension",
                         json={"months": 6, "on": at(start, 4).isoformat(), "reason": "考察"}, headers=secretary)
    assert answer.status_code == 422 and "stage" in answer.get_json()["errors"]
