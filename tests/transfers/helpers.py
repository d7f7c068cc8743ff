"""Calling the transfer API from tests."""

from __future__ import annotations

REASON = "工作调动"


def issue(client, headers, member_id, **body):
    body = {"member_id": str(member_id), "reason": REASON} | {
        k: str(v) if k == "to_org_id" else v for k, v in body.items()
    }
    return client.post("/api/v1/transfers", json=body, headers=headers)


def issued(client, headers, member_id, **body) -> dict:
    response = issue(client, headers, member_id, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def accept(client, headers, code, org_id=None):
    body = {} if org_id is None else {"org_id": str(org_id)}
    return client.post(f"/api/v1/transfers/incoming/{code}/accept", json=body, headers=headers)
