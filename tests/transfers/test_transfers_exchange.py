"""The exchange between two tenants when things go wrong: a crash between the receiver's and
the sender's transactions, retries, concurrent completions, expiry, and what the global
envelope table holds."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select, text, update

from core.audit.models import AuditEntry
from core.audit.recorder import MASK
from core.auth.context import Actor, acting_as
from core.db import db
from core.jobs import service as jobs
from core.orgs import service as orgs
from core.tenancy import rls, tenant_context
from core.transfers import codes, exchange, service
from core.transfers.models import TransferEnvelope, TransferLetter
from tests.transfers.helpers import accept, issued


def _crash(*args, **kwargs):
    raise RuntimeError("the sending side's transaction died")


@pytest.fixture
def offered(client, city_a, city_b, add_member, admin_a):
    """A member of 甲市 branch 1 with a letter to 乙市: (member id, ID number, letter)."""
    member_id, number = add_member(city_a, "1")
    letter = issued(client, admin_a, member_id, to_tenant=city_b.slug)
    return member_id, number, letter


def test_crash_after_the_receiver_commits_is_finished_on_read(
    client, city_a, city_b, offered, look, admin_a, admin_b, monkeypatch
):
    member_id, number, letter = offered
    code = codes.normalize(letter["code"])
    monkeypatch.setattr(exchange, "complete_sender", _crash)

    response = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert response.status_code == 200, response.get_json()  # the receiver's side stands
    [arrived] = look.members_with(city_b, number)
    assert look.total == 1 and look.events(city_b, arrived.id) == [("transfer_in", "full")]
    # The sender still has the member as they were; the envelope waits, accepted.
    assert look.member(city_a, member_id).status == "full"
    assert look.letter(city_a, code).status == "pending"
    assert look.envelope(code).state == "accepted"

    # A retry of the accept creates nobody; the sender's side still fails.
    again = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert again.status_code == 200 and again.get_json()["member_id"] == str(arrived.id)
    assert len(look.members_with(city_b, number)) == 1 and look.total == 1
    # Reading the letter while the sender's side still fails shows it as it stands.
    shown = client.get(f"/api/v1/transfers/{letter['id']}", headers=admin_a)
    assert shown.status_code == 200
    assert shown.get_json()["status"] == "pending"
    assert shown.get_json()["exchange_state"] == "accepted"

    monkeypatch.undo()  # the sending side is back
    shown = client.get(f"/api/v1/transfers/{letter['id']}", headers=admin_a).get_json()
    assert shown["status"] == "completed" and shown["exchange_state"] == "completed"
    assert look.member(city_a, member_id).status == "transferred_out"
    assert look.events(city_a, member_id) == [("admitted", "full"), ("transfer_out", "transferred_out")]
    assert look.envelope(code).state == "completed"
    # And nothing runs twice afterwards.
    client.get(f"/api/v1/transfers/{letter['id']}", headers=admin_a)
    assert accept(client, admin_b, letter["code"], city_b.orgs["1"]).status_code == 200
    assert len(look.events(city_a, member_id)) == 2
    assert len(look.members_with(city_b, number)) == 1 and look.total == 1


def test_crash_is_finished_by_the_sweep_job(
    client, city_a, city_b, offered, look, admin_b, in_tenant, run_jobs, monkeypatch
):
    member_id, number, letter = offered
    code = codes.normalize(letter["code"])
    monkeypatch.setattr(exchange, "complete_sender", _crash)
    assert accept(client, admin_b, letter["code"], city_b.orgs["1"]).status_code == 200
    assert look.member(city_a, member_id).status == "full"
    monkeypatch.undo()

    with in_tenant(city_a.tenant):
        job = jobs.enqueue(exchange.SWEEP_JOB)
        job_id = job.id
    run_jobs()  # on PostgreSQL also the sweep the failed follow-up queued itself
    with in_tenant(city_a.tenant):
        finished = jobs.get(job_id)
        assert finished.state == "finished", finished.error
        assert finished.result in (
            {"settled": {"completed": 1}, "failed": []},
            {"settled": {}, "failed": []},  # the follow-up's own sweep got there first
        )
    assert look.member(city_a, member_id).status == "transferred_out"
    assert look.letter(city_a, code).status == "completed"
    assert look.envelope(code).state == "completed"
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "transfer_out"]
    assert len(look.members_with(city_b, number)) == 1


def test_a_second_completion_changes_nothing(client, city_a, city_b, offered, look, admin_b,
                                              in_tenant, monkeypatch):
    """Two completions racing: the one that loses the envelope's compare-and-set writes
    nothing, even holding letter and envelope as they were before the other committed."""
    member_id, _, letter = offered
    code = codes.normalize(letter["code"])
    monkeypatch.setattr(exchange, "complete_sender", _crash)
    accept(client, admin_b, letter["code"], city_b.orgs["1"])
    monkeypatch.undo()
    with in_tenant(city_a.tenant):
        stale_letter = service.by_code(code)
        stale_envelope = exchange.envelope(code)
        assert stale_envelope.state == "accepted"
        db.session.expunge(stale_letter)
        db.session.expunge(stale_envelope)
        assert exchange.sweep() == {"settled": {"completed": 1}, "failed": []}
        assert exchange.complete_sender(stale_letter, stale_envelope) is None
        db.session.commit()
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "transfer_out"]


def test_two_accepts_at_once_create_one_member(app, city_a, city_b, offered, look, monkeypatch):
    """Two people of the receiving tenant accept the same letter at the same moment, each in
    its own session: the envelope's compare-and-set lets one through; the other waits for it
    and answers with its receipt."""
    member_id, number, letter = offered
    code = codes.normalize(letter["code"])
    original = exchange.register.admit

    def slow_admit(*args, **kwargs):
        member = original(*args, **kwargs)
        time.sleep(0.3)  # hold the receiving transaction open while the other one arrives
        return member

    monkeypatch.setattr(exchange.register, "admit", slow_admit)
    start = threading.Barrier(2)
    answers, errors = [], []

    def receiver(who: str) -> None:
        with app.app_context(), tenant_context(city_b.id), acting_as(Actor(label=who)):
            target = orgs.get(city_b.orgs["1"])
            start.wait()
            try:
                answers.append(exchange.accept(code, target).member_id)
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)

    threads = [threading.Thread(target=receiver, args=(f"test:{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(answers) == 2 and answers[0] == answers[1]
    [arrived] = look.members_with(city_b, number)
    assert look.total == 1 and arrived.id == answers[0]
    assert look.events(city_b, arrived.id) == [("transfer_in", "full")]
    assert look.member(city_a, member_id).status == "transferred_out"
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "transfer_out"]


def test_a_failing_receiver_leaves_nothing_behind(client, city_a, city_b, offered, look, admin_b,
                                                  monkeypatch):
    """The receiver's transaction fails after creating the member: all of it is rolled back,
    the envelope is offered again, and a later accept works."""
    member_id, number, letter = offered
    code = codes.normalize(letter["code"])
    original = exchange.register.admit

    def admit_then_die(*args, **kwargs):
        original(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the receiving side's transaction died")

    monkeypatch.setattr(exchange.register, "admit", admit_then_die)
    failed = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert failed.status_code == 500
    assert look.members_with(city_b, number) == [] and look.total == 0
    assert look.envelope(code).state == "offered"
    assert look.letter(city_b, code) is None
    monkeypatch.undo()
    assert accept(client, admin_b, letter["code"], city_b.orgs["1"]).status_code == 200
    assert len(look.members_with(city_b, number)) == 1
    assert look.member(city_a, member_id).status == "transferred_out"


def test_a_person_already_in_the_receivers_register(client, city_a, city_b, offered, look,
                                                    add_member, admin_b):
    member_id, number, letter = offered
    add_member(city_b, "2", id_number=number)
    refused = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert refused.status_code == 409, refused.get_json()
    assert look.envelope(codes.normalize(letter["code"])).state == "offered"
    assert look.member(city_a, member_id).status == "full"


def _expire(in_tenant, city, code: str) -> None:
    past = date.today() - timedelta(days=1)
    with in_tenant(city.tenant):
        db.session.execute(
            update(TransferLetter).where(TransferLetter.code == code).values(expires_on=past)
        )
        db.session.execute(
            update(TransferEnvelope).where(TransferEnvelope.code == code).values(expires_on=past)
        )
        db.session.commit()


def test_expiry(client, city_a, city_b, offered, add_member, look, admin_a, admin_b, in_tenant,
                app):
    member_id, number, letter = offered
    code = codes.normalize(letter["code"])
    internal_member, _ = add_member(city_a, "1", name="李四")
    internal = issued(client, admin_a, internal_member, to_org_id=city_a.orgs["2"])
    internal_code = codes.normalize(internal["code"])
    _expire(in_tenant, city_a, code)
    _expire(in_tenant, city_a, internal_code)

    # Past its date a letter cannot be answered, even before the sweep marks it.
    assert client.get("/api/v1/transfers/incoming", headers=admin_b).get_json() == []
    late = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert late.status_code == 409 and "expired" in late.get_json()["message"]
    assert accept(client, admin_a, internal["code"]).status_code == 409
    assert look.members_with(city_b, number) == []

    result = app.test_cli_runner().invoke(args=["transfers", "sweep"])
    assert result.exit_code == 0, result.output
    assert f"{city_a.slug}: 2 expired" in result.output
    assert f"{city_b.slug}: nothing due" in result.output
    assert look.letter(city_a, code).status == "expired"
    assert look.letter(city_a, internal_code).status == "expired"
    assert look.envelope(code).state == "expired"
    assert look.member(city_a, member_id).status == "full"
    assert look.member(city_a, internal_member).org_id == city_a.orgs["1"]
    again = app.test_cli_runner().invoke(args=["transfers", "sweep", "--tenant", city_a.slug])
    assert again.exit_code == 0 and f"{city_a.slug}: nothing due" in again.output
    unknown = app.test_cli_runner().invoke(args=["transfers", "sweep", "--tenant", "nowhere"])
    assert unknown.exit_code != 0


def test_the_sweep_follows_a_refusal_the_sender_missed(client, city_a, city_b, offered, look,
                                                       admin_b, in_tenant, monkeypatch):
    member_id, _, letter = offered
    code = codes.normalize(letter["code"])
    monkeypatch.setattr(exchange, "settle", _crash)
    refused = client.post(f"/api/v1/transfers/incoming/{letter['code']}/refuse",
                          json={"reason": "不在本市居住"}, headers=admin_b)
    assert refused.status_code == 200
    assert look.letter(city_a, code).status == "pending"
    monkeypatch.undo()
    with in_tenant(city_a.tenant):
        assert exchange.sweep() == {"settled": {"refused": 1}, "failed": []}
    sender = look.letter(city_a, code)
    assert sender.status == "refused" and sender.refusal_reason == "不在本市居住"
    assert look.member(city_a, member_id).status == "full"


def test_the_envelope_table_is_global_and_holds_nothing_readable(client, city_a, offered, app,
                                                                  backend, in_tenant):
    _, number, letter = offered
    columns = set(inspect(TransferEnvelope).columns.keys())
    assert "tenant_id" not in columns and {"from_tenant_id", "to_tenant_id"} <= columns
    if backend == "postgresql":
        with db.engine.connect() as conn:
            covered = rls.tenant_tables(conn)
        assert "transfer_envelopes" not in covered and "transfer_letters" in covered
    # Readable with no tenant at all (it is the exchange between tenants) …
    db.session.rollback()
    payload, reason = db.session.execute(
        text("SELECT payload, refusal_reason FROM transfer_envelopes WHERE code = :c"),
        {"c": codes.normalize(letter["code"])},
    ).one()
    db.session.rollback()
    # … and nothing in it says who the person is.
    assert number not in payload and "张三" not in payload and "13812345678" not in payload
    assert reason is None
    with in_tenant(city_a.tenant):
        snapshot = db.session.execute(
            text("SELECT snapshot FROM transfer_letters WHERE code = :c"),
            {"c": codes.normalize(letter["code"])},
        ).scalar_one()
        assert number not in snapshot and "张三" not in snapshot
        stored = db.session.scalar(select(TransferLetter))
        assert stored.snapshot["id_number"] == number  # decrypted for the application
        # The audit log records the letter without the record it carries.
        [created] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "transfer_letters")
        ).all()
        assert created.after["snapshot"] == MASK and number not in json.dumps(created.after)


def test_codes():
    drawn = {codes.new_code() for _ in range(200)}
    assert len(drawn) == 200
    for code in drawn:
        assert codes.normalize(codes.display(code)) == code
        assert codes.normalize(codes.display(code).lower()) == code
    assert codes.normalize("O1IL-0000-0000") == "011100000000"
    assert codes.normalize("0000-0000-000U") is None  # U is not in the alphabet
    assert codes.normalize("0000-0000") is None and codes.normalize(None) is None


def test_default_expiry_is_three_calendar_months():
    assert service.default_expiry(date(2024, 1, 15)) == date(2024, 4, 15)
    assert service.default_expiry(date(2023, 11, 30)) == date(2024, 2, 29)
    assert service.default_expiry(date(2024, 10, 31)) == date(2025, 1, 31)
