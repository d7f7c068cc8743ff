"""Village attributes of rural organisations and of the villages (units) they serve:
validated field by field through core's API, stored as JSON."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.auth import error_fields

ORGS = "/api/v1/orgs"


def test_village_attributes(client, villages, login):
    admin = login()
    good = {"key_village": True, "households": 612, "population": 2150, "village_groups": 8,
            "service_centre_area_m2": 320, "service_centre_functions": ["党员活动", "农家书屋"],
            "village_committee_term_started_on": "2021-03-20", "secretary_is_director": True}
    response = client.patch(f"{ORGS}/{villages['A']}", headers=admin, json={"attributes": good})
    assert response.status_code == 200, response.get_json()
    shown = client.get(f"{ORGS}/{villages['A']}", headers=admin).get_json()["attributes"]
    assert shown == {**good, "service_centre_area_m2": 320.0}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for attributes, field in (
        ({"households": -1}, "attributes.households"),
        ({"service_centre_functions": ["党员活动", "游泳池"]}, "attributes.service_centre_functions.1"),
        ({"service_centre_functions": ["党员活动", "党员活动"]}, "attributes.service_centre_functions"),
        ({"village_committee_term_started_on": tomorrow}, "attributes.village_committee_term_started_on"),
        ({"key_village": "maybe"}, "attributes.key_village"),
        ({"village_chief": "张三"}, "attributes.village_chief"),
    ):
        response = client.patch(f"{ORGS}/{villages['A']}", headers=admin, json={"attributes": attributes})
        assert response.status_code == 422, (attributes, response.get_json())
        assert field in error_fields(response.get_json()), (attributes, response.get_json())
    # a 村党委 says it is a village; a township committee may say it is not
    response = client.patch(f"{ORGS}/{villages['T']}", headers=admin, json={"attributes": {"village": False}})
    assert response.status_code == 200
    # a 党小组 has none
    response = client.patch(f"{ORGS}/{villages['AG']}", headers=admin,
                            json={"sector": "rural", "attributes": {"households": 3}})
    assert response.status_code == 422 and "attributes.households" in error_fields(response.get_json())


def test_village_unit_attributes(client, villages, login):
    admin = login()
    body = {"name": "桃源村村民委员会", "unit_type": "village",
            "attributes": {"households": 612, "population": 2150, "village_groups": 8}}
    response = client.post(f"{ORGS}/{villages['A']}/units", headers=admin, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attributes"] == body["attributes"]
    bad = {**body, "attributes": {"households": "many"}}
    response = client.post(f"{ORGS}/{villages['A']}/units", headers=admin, json=bad)
    assert response.status_code == 422 and "attributes.households" in error_fields(response.get_json())
    other = {**body, "unit_type": "enterprise"}
    response = client.post(f"{ORGS}/{villages['A']}/units", headers=admin, json=other)
    assert response.status_code == 422 and "attributes.households" in error_fields(response.get_json())
