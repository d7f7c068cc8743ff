"""Community attributes through the organisations API: the figures a community records, a
branch's setting (网格党支部…), the residents' committee unit — validated and named by field."""

from __future__ import annotations

from tests.support.auth import error_fields


def test_community_figures_are_recorded_and_checked(client, community_city, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    figures = {"population": 9200, "households": 3150, "residential_compounds": 6, "owners_committees": 4,
               "community_workers": 15, "worker_avg_monthly_pay": 4300, "venue_area_m2": 1000.5}
    response = client.patch(f"/api/v1/orgs/{city.community}", json={"attributes": figures}, headers=admin)
    assert response.status_code == 200, response.get_json()
    assert client.get(f"/api/v1/orgs/{city.community}", headers=admin).get_json()["attributes"] == figures

    bad = {"population": -1, "residential_compounds": 2, "owners_committees": 3, "venue_area_m2": "big",
           "grid_count": 2}
    response = client.patch(f"/api/v1/orgs/{city.community}", json={"attributes": bad}, headers=admin)
    assert response.status_code == 422
    assert error_fields(response.get_json()) == {
        "attributes.population", "attributes.venue_area_m2", "attributes.grid_count"}
    response = client.patch(f"/api/v1/orgs/{city.community}",
                            json={"attributes": {"residential_compounds": 2, "owners_committees": 3}},
                            headers=admin)
    assert response.status_code == 422
    assert error_fields(response.get_json()) == {"attributes.owners_committees"}


def test_branches_and_groups_say_where_they_are_set_up(client, community_city, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    response = client.patch(f"/api/v1/orgs/{city.branch}", json={"attributes": {"branch_setting": "grid"}},
                            headers=admin)
    assert response.status_code == 200 and response.get_json()["attributes"] == {"branch_setting": "grid"}
    response = client.patch(f"/api/v1/orgs/{city.group}", json={"attributes": {"branch_setting": "building"}},
                            headers=admin)
    assert response.status_code == 200
    response = client.patch(f"/api/v1/orgs/{city.group}", json={"attributes": {"population": 100}},
                            headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.population"}
    response = client.patch(f"/api/v1/orgs/{city.branch}", json={"attributes": {"branch_setting": "tower"}},
                            headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.branch_setting"}
    response = client.patch(f"/api/v1/orgs/{city.street}", json={"attributes": {"branch_setting": "grid"}},
                            headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.branch_setting"}


def test_the_residents_committee_unit(client, community_city, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    unit = {"name": "幸福社区居民委员会", "unit_type": "community",
            "attributes": {"committee_members": 7, "secretary_is_director": True, "cross_appointed": 4}}
    response = client.post(f"/api/v1/orgs/{city.community}/units", json=unit, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attributes"] == unit["attributes"]
    bad = {**unit, "attributes": {"committee_members": 3, "cross_appointed": 5}}
    response = client.post(f"/api/v1/orgs/{city.community}/units", json=bad, headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.cross_appointed"}
