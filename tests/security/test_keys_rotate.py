"""``dangjian keys``: rotating the Fernet keys of personal fields (core.protection.keys).

Data written under key A; DATA_KEYS="B,A"; ``keys rotate``; then DATA_KEYS="B" alone reads
everything, in every tenant (row-level security on PostgreSQL) and in the tables no tenant
owns, and the raw column values changed.
"""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from core.db import db, encrypted
from core.members import service as members
from core.members.models import Member
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.protection import keys
from core.transfers.models import TransferEnvelope
from tests.members.helpers import member_data

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
ENCRYPTED = ("id_number", "phone", "address")


@pytest.fixture
def use_keys(app, monkeypatch):
    """Run the app (and the CLI, which shares its config) with these keys from now on."""

    def use(data_keys: str, blind_index_key: str | None = None):
        monkeypatch.setitem(app.config, "DATA_KEYS", data_keys)
        if blind_index_key is not None:
            monkeypatch.setitem(app.config, "BLIND_INDEX_KEY", blind_index_key)
        ring = encrypted.build_keyring(app.config)
        monkeypatch.setitem(app.extensions, encrypted.EXTENSION, ring)
        db.session.expire_all()

    return use


def _people(tenant, in_tenant, count: int, phone_prefix: str) -> dict:
    """``count`` members in a fresh branch of ``tenant``: {id: (id_number, phone, address)}."""
    made = {}
    with in_tenant(tenant):
        branch = orgs.create(name="一支部", code="B1", kind="branch")
        for n in range(count):
            data = member_data(branch.id, phone=f"{phone_prefix}{n:04d}", address=f"北京东路{n}号")
            member = members.create_member(MemberInputSchema().load(data))
            made[member.id] = (member.id_number, member.phone, member.address)
        db.session.commit()
    return made


def _envelope(tenant, tenant_b) -> str:
    envelope = TransferEnvelope(
        code="ENV1",
        from_tenant_id=tenant.id,
        to_tenant_id=tenant_b.id,
        payload={"member": {"name": "李四", "id_number": "320102199003070017"}},
        refusal_reason="材料不全",
        issued_on=date(2026, 1, 5),
        expires_on=date(2026, 4, 5),
    )
    db.session.add(envelope)
    db.session.commit()
    return envelope.code


def _raw_members(tenant, in_tenant) -> dict:
    table = Member.__table__
    columns = [type_coerce(table.c[name], Text()) for name in ENCRYPTED]
    with in_tenant(tenant):
        return {row[0]: tuple(row[1:]) for row in db.session.execute(select(table.c.id, *columns))}


def _raw_envelope() -> tuple:
    table = TransferEnvelope.__table__
    row = db.session.execute(
        select(type_coerce(table.c.payload, Text()), type_coerce(table.c.refusal_reason, Text()))
    ).one()
    db.session.commit()
    return tuple(row)


def _plain_members(tenant, in_tenant) -> dict:
    with in_tenant(tenant):
        return {m.id: (m.id_number, m.phone, m.address) for m in db.session.scalars(select(Member))}


def test_every_encrypted_column_is_a_target_found_by_type(app_ctx):
    found = {t.table.name: sorted(c.name for c in t.columns) for t in keys.targets()}
    assert found["members"] == ["address", "id_number", "phone"]
    assert found["development_people"] == ["address", "id_number", "phone"]
    assert found["transfer_letters"] == ["snapshot"]
    assert found["transfer_envelopes"] == ["payload", "refusal_reason"]
    indexes = {t.table.name: sorted(t.indexes) for t in keys.targets() if t.indexes}
    assert indexes == {"development_people": ["id_number"], "members": ["id_number"]}


def test_rotate_then_only_the_new_key_reads_everything(
    app_ctx, tenant, tenant_b, in_tenant, use_keys
):
    use_keys(KEY_A)
    people = {
        tenant.id: _people(tenant, in_tenant, 5, "1381234"),
        tenant_b.id: _people(tenant_b, in_tenant, 3, "1391234"),
    }
    _envelope(tenant, tenant_b)
    raw_before = {t: _raw_members(t, in_tenant) for t in people}
    envelope_before = _raw_envelope()
    runner = app_ctx.test_cli_runner()

    use_keys(f"{KEY_B},{KEY_A}")
    check = runner.invoke(args=["keys", "check"])
    assert check.exit_code == 1, check.output
    assert "members.phone: 8 old" in check.output
    assert "transfer_envelopes.payload: 1 old" in check.output
    assert (
        "total: 0 under the newest key, 26 under older keys, 0 under no configured key"
        in check.output
    )

    rotated = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert rotated.exit_code == 0, rotated.output
    assert "members.id_number: 8 rotated" in rotated.output
    assert "total: 26 rewritten, 0 already current" in rotated.output
    again = runner.invoke(args=["keys", "rotate"])  # idempotent: nothing left to do
    assert "total: 0 rewritten, 26 already current" in again.output, again.output
    assert runner.invoke(args=["keys", "check"]).exit_code == 0

    use_keys(KEY_B)  # the old key is gone
    for tenant_id, made in people.items():
        assert _plain_members(tenant_id, in_tenant) == made
        raw_after = _raw_members(tenant_id, in_tenant)
        assert raw_after.keys() == raw_before[tenant_id].keys()
        for member_id, values in raw_after.items():
            assert all(
                new != old
                for new, old in zip(values, raw_before[tenant_id][member_id], strict=True)
            )
            assert all(Fernet(KEY_B).decrypt(v.encode()) for v in values)
    envelope = db.session.get(TransferEnvelope, "ENV1")
    assert envelope.payload["member"]["name"] == "李四" and envelope.refusal_reason == "材料不全"
    assert all(new != old for new, old in zip(_raw_envelope(), envelope_before, strict=True))


def test_an_interrupted_rotation_resumes_where_it_stopped(
    app_ctx, tenant, in_tenant, use_keys, monkeypatch
):
    use_keys(KEY_A)
    made = _people(tenant, in_tenant, 6, "1371234")
    use_keys(f"{KEY_B},{KEY_A}")
    real_rewrite, calls = keys._rewrite, []

    def crash_on_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real_rewrite(*args)

    monkeypatch.setattr(keys, "_rewrite", crash_on_third)
    with pytest.raises(RuntimeError):
        keys.scan(rotate=True, batch_size=2)
    db.session.rollback()
    halfway = keys.scan(rotate=False)
    assert halfway.counts["members.phone"]["current"] == 4  # two batches were committed
    assert halfway.counts["members.phone"]["old"] == 2
    monkeypatch.setattr(keys, "_rewrite", real_rewrite)
    resumed = keys.scan(rotate=True, batch_size=2)
    assert resumed.counts["members.phone"]["rotated"] == 2
    assert resumed.counts["members.phone"]["current"] == 4
    use_keys(KEY_B)
    assert _plain_members(tenant, in_tenant) == made


def test_a_value_changed_meanwhile_is_not_overwritten(app_ctx, tenant, in_tenant, use_keys):
    """The rewrite is conditional on the ciphertext read: a user's edit in between wins."""
    use_keys(KEY_A)
    member_id = next(iter(_people(tenant, in_tenant, 1, "1361234")))
    use_keys(f"{KEY_B},{KEY_A}")
    table = Member.__table__
    stale = _raw_members(tenant, in_tenant)[member_id][1]
    with in_tenant(tenant):
        member = db.session.get(Member, (tenant.id, member_id))
        member.phone = "13600000000"  # the edit, under the newest key
        db.session.commit()
        params = {
            "pk_tenant_id": tenant.id,
            "pk_id": member_id,
            "old_phone": stale,
            "new_phone": keys.current_keys().rotate(stale),
        }
        pk = list(table.primary_key.columns)
        assert keys._rewrite(table, pk, ("phone",), [params]) == 0
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Member, (tenant.id, member_id)).phone == "13600000000"


def test_unreadable_values_are_reported_and_left_alone(app_ctx, tenant, in_tenant, use_keys):
    use_keys(KEY_A)
    _people(tenant, in_tenant, 2, "1351234")
    use_keys(KEY_B)  # A dropped too early
    result = app_ctx.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 1
    assert "members.id_number: 2 unreadable" in result.output
    use_keys(KEY_A)
    assert len(_plain_members(tenant, in_tenant)) == 2  # nothing was damaged


def test_blind_index_rotation(app_ctx, tenant, in_tenant, use_keys):
    old_index, new_index = "old-blind-index-key", "new-blind-index-key"
    use_keys(KEY_A, old_index)
    made = _people(tenant, in_tenant, 3, "1341234")
    id_numbers = [values[0] for values in made.values()]
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate", "--blind-index", new_index])
    assert result.exit_code == 0, result.output
    assert "members.id_number_index: 3 rotated" in result.output
    again = runner.invoke(args=["keys", "rotate", "--blind-index", new_index])
    assert "members.id_number_index: 3 current" in again.output, again.output
    use_keys(KEY_A, new_index)
    with in_tenant(tenant):
        for number in id_numbers:
            found = members.find_by_id_number(number)
            assert found is not None and found.id_number == number
            assert found.id_number_index == keys.hmac_index(new_index.encode(), number)
    use_keys(KEY_A, old_index)  # the old key finds nothing any more
    with in_tenant(tenant):
        assert members.find_by_id_number(id_numbers[0]) is None


def test_generate_prints_usable_keys(app_ctx):
    runner = app_ctx.test_cli_runner()
    data_key = runner.invoke(args=["keys", "generate"]).output.strip()
    assert Fernet(data_key).decrypt(Fernet(data_key).encrypt(b"x")) == b"x"
    index_key = runner.invoke(args=["keys", "generate", "--blind-index"]).output.strip()
    assert len(index_key) >= 40 and index_key != data_key
