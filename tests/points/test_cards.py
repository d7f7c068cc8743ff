"""QR cards: a signed link that needs no login and shows only the masked name, branch, year,
points and rank in the branch; forged, tampered, rotated, revoked and other tenants' links
are all the same 404."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

from itsdangerous import URLSafeSerializer

from core.db import db
from tests.points.conftest import award, new_member

CARD_FIELDS = {"name", "branch", "year", "total", "rank"}


def _setup(tenant, in_tenant, tree):
    this_year = date.today().year
    with in_tenant(tenant):
        a = new_member(tree["G"], name="张三丰")
        b = new_member(tree["X"], name="李四")
        award(a.id, "points.volunteering", date(this_year, 1, 1))
        award(b.id, "points.volunteering", date(this_year, 1, 1))
        award(b.id, "points.study", date(this_year, 1, 2))
        db.session.commit()
        return a.id, b.id


def _path(url: str) -> str:
    return urlparse(url).path


def test_card_shows_only_the_listed_fields_without_login(client, tenant, in_tenant, tree,
                                                         auth_headers):
    a, _b = _setup(tenant, in_tenant, tree)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    issued = client.post(f"/api/v1/points/members/{a}/card", headers=secretary)
    assert issued.status_code == 201, issued.get_json()
    url = issued.get_json()["url"]
    card = client.get(_path(url))  # no token, no X-Tenant, no host
    assert card.status_code == 200, card.get_json()
    body = card.get_json()
    assert set(body) == CARD_FIELDS
    assert body == {"name": "张**", "branch": "X支部", "year": date.today().year,
                    "total": "5.00", "rank": "2/2"}
    assert "张三丰" not in card.get_data(as_text=True)
    assert card.headers["Cache-Control"] == "no-store"
    # the tenant's own host works too; the QR code encodes the same link
    assert client.get(_path(url), headers={"Host": "alpha.test"}).status_code == 200
    png = client.get(f"/api/v1/points/members/{a}/card.png", headers=secretary)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    shown = client.get(f"/api/v1/points/members/{a}/card", headers=secretary).get_json()
    assert shown["url"] == url


def test_forged_tampered_and_foreign_tokens_are_404(app, client, tenant, tenant_b, in_tenant,
                                                    tree, auth_headers):
    a, _b = _setup(tenant, in_tenant, tree)
    tenant_b_id = tenant_b.id
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    path = _path(client.post(f"/api/v1/points/members/{a}/card", headers=secretary).get_json()["url"])
    token = path.rsplit("/", 1)[1]
    payload = URLSafeSerializer(app.config["SECRET_KEY"], salt="dangjian.points.card").loads(token)
    forged_key = URLSafeSerializer("not-the-key", salt="dangjian.points.card").dumps(payload)
    wrong_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(payload)
    wrong_nonce = URLSafeSerializer(app.config["SECRET_KEY"], salt="dangjian.points.card").dumps(
        {**payload, "n": "guess"})
    other_tenant = URLSafeSerializer(app.config["SECRET_KEY"], salt="dangjian.points.card").dumps(
        {**payload, "t": tenant_b_id})
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    answers = []
    for bad in (forged_key, wrong_salt, wrong_nonce, other_tenant, tampered, "x", "a.b.c"):
        response = client.get(f"/api/v1/cards/{bad}")
        answers.append((response.status_code, response.get_json()["message"]))
    assert set(answers) == {(404, "card not found")}
    # a request naming another tenant gets the same 404 for a genuine token
    assert client.get(path, headers={"X-Tenant": "beta"}).status_code == 404
    assert client.get(path, headers={"Host": "beta.test"}).status_code == 404
    assert client.get(path, headers={"X-Tenant": "alpha"}).status_code == 200


def test_rotating_and_revoking_retire_old_links(client, tenant, in_tenant, tree, auth_headers):
    a, _b = _setup(tenant, in_tenant, tree)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    first = _path(client.post(f"/api/v1/points/members/{a}/card", headers=secretary).get_json()["url"])
    second = _path(client.post(f"/api/v1/points/members/{a}/card", headers=secretary).get_json()["url"])
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.delete(f"/api/v1/points/members/{a}/card", headers=secretary).status_code == 204
    assert client.get(second).status_code == 404
    assert client.get(f"/api/v1/points/members/{a}/card.png", headers=secretary).status_code == 404
    assert client.delete(f"/api/v1/points/members/{a}/card", headers=secretary).status_code == 404


def test_who_may_issue_a_card(client, tenant, tenant_b, in_tenant, tree, auth_headers, make_user):
    a, b = _setup(tenant, in_tenant, tree)
    member_role = auth_headers(tenant, role="member", org=tree["X"])
    other_branch = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    other_tenant = auth_headers(tenant_b)
    assert client.post(f"/api/v1/points/members/{a}/card", headers=member_role).status_code == 403
    assert client.post(f"/api/v1/points/members/{a}/card", headers=other_branch).status_code == 404
    assert client.post(f"/api/v1/points/members/{a}/card", headers=other_tenant).status_code == 404
    assert client.post("/api/v1/points/members/nope/card", headers=other_branch).status_code == 404
    # the member themself
    user = make_user(tenant, role=None)
    admin = auth_headers(tenant)
    client.patch(f"/api/v1/users/{user.id}", json={"member_id": str(b)}, headers=admin)
    token = client.post("/api/v1/auth/token", headers={"X-Tenant": "alpha"},
                        json={"username": user.username, "password": "Passw0rd!x"}).get_json()
    own = {"Authorization": f"Bearer {token['access_token']}", "X-Tenant": "alpha"}
    issued = client.post(f"/api/v1/points/members/{b}/card", headers=own)
    assert issued.status_code == 201
    assert client.get(_path(issued.get_json()["url"])).get_json()["rank"] == "1/2"
    assert client.post(f"/api/v1/points/members/{a}/card", headers=own).status_code == 404
