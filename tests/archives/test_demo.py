"""The demo city's archives: added once, some complete and some not, so the checklist and
the warning both show."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.archives import service
from core.archives.demo import ensure_demo_archives, pdf
from core.archives.models import ArchiveDocument
from core.db import db
from core.demo import data
from core.warnings import engine
from core.warnings.models import Warning


def test_demo_archives_are_added_once_and_warn(tenant, in_tenant):
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        db.session.commit()
        said = ensure_demo_archives(today)
        db.session.commit()
        assert said is not None and "2 archives incomplete" in said
        count = db.session.scalar(select(func.count()).select_from(ArchiveDocument))
        assert count == 7 + 5 + 4 + 1
        assert ensure_demo_archives(today) is None  # idempotent
        assert db.session.scalar(select(func.count()).select_from(ArchiveDocument)) == count

        checked = service.evaluate()
        assert sorted((c.kind, c.stage, len(c.missing)) for c in checked) == [
            ("member", "full", 0), ("member", "full", 1), ("member", "probationary", 1),
            ("person", "applicant", 0)]
        engine.sweep(today, rule_keys=["archives.member_documents_missing",
                                       "archives.person_documents_missing"])
        db.session.commit()
        messages = sorted(db.session.scalars(select(Warning.message).where(
            Warning.rule_key == "archives.member_documents_missing", Warning.state == "open")))
        assert len(messages) == 2
        assert any(m.endswith("转正申请书") for m in messages)
        assert any(m.endswith("入党志愿书") for m in messages)


def test_the_demo_file_is_a_pdf():
    content = pdf("Demo archive: application")
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert b"startxref" in content
