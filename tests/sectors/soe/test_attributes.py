"""Enterprise attributes of soe organisations and of the enterprises (units) they serve:
validated field by field through core's API, stored as JSON."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.auth import error_fields

ORGS = "/api/v1/orgs"


def test_enterprise_attributes(client, enterprises, login):
    admin = login()
    good = {"enterprise_name": "示范市城市建设投资集团有限公司", "enterprise_level": "group",
            "employees": 2600, "has_board": True, "charter_includes_party_building": True,
            "charter_prior_review_clause": True, "charter_amended_on": "2018-06-28"}
    response = client.patch(f"{ORGS}/{enterprises['C']}", headers=admin, json={"attributes": good})
    assert response.status_code == 200, response.get_json()
    assert client.get(f"{ORGS}/{enterprises['C']}", headers=admin).get_json()["attributes"] == good
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for attributes, field in (
        ({"enterprise_level": "fourth"}, "attributes.enterprise_level"),
        ({"employees": -5}, "attributes.employees"),
        ({"charter_amended_on": tomorrow}, "attributes.charter_amended_on"),
        ({"charter_amended_on": "去年"}, "attributes.charter_amended_on"),
        ({"has_board": "maybe"}, "attributes.has_board"),
        ({"charter_includes_party_building": False, "charter_prior_review_clause": True},
         "attributes.charter_prior_review_clause"),
        ({"secretary_is_chairman": True}, "attributes.secretary_is_chairman"),  # the register says it
    ):
        response = client.patch(f"{ORGS}/{enterprises['J']}", headers=admin, json={"attributes": attributes})
        assert response.status_code == 422, (attributes, response.get_json())
        assert field in error_fields(response.get_json()), (attributes, response.get_json())
    # a branch of an independent subsidiary may carry them; a 党小组 and another sector may not
    response = client.patch(f"{ORGS}/{enterprises['B']}", headers=admin,
                            json={"attributes": {"enterprise_level": "third", "employees": 120}})
    assert response.status_code == 200
    for code in ("AG", "O"):
        response = client.patch(f"{ORGS}/{enterprises[code]}", headers=admin,
                                json={"attributes": {"employees": 3}})
        assert response.status_code == 422 and "attributes.employees" in error_fields(response.get_json())


def test_enterprise_unit_attributes(client, enterprises, login):
    admin = login()
    body = {"name": "示范市城市建设投资集团有限公司", "unit_type": "soe",
            "attributes": {"ownership": "wholly_owned", "listed": False}}
    response = client.post(f"{ORGS}/{enterprises['C']}/units", headers=admin, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attributes"] == body["attributes"]
    bad = {**body, "attributes": {"ownership": "private"}}
    response = client.post(f"{ORGS}/{enterprises['C']}/units", headers=admin, json=bad)
    assert response.status_code == 422 and "attributes.ownership" in error_fields(response.get_json())
    other = {**body, "unit_type": "enterprise"}
    response = client.post(f"{ORGS}/{enterprises['C']}/units", headers=admin, json=other)
    assert response.status_code == 422 and "attributes.ownership" in error_fields(response.get_json())
