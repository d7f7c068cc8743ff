"""Demo archives (``dangjian_demo_data``): in 桃源村党支部, one full member's archive complete,
one missing its 转正申请书, a probationary member's missing its 入党志愿书, and an applicant
with the 入党申请书 filed — so the checklist shows both states and the warning shows."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from core import files
from core.archives import service
from core.archives.models import ArchiveDocument
from core.archives.settings import DEFAULT_REQUIRED, DOCUMENT_TYPES
from core.db import db
from core.development import service as development
from core.development.models import DevelopmentPerson
from core.members.idcard import check_char
from core.members.models import Member
from core.orgs import service as orgs
from core.tenancy import current_tenant_id

BRANCH = "SZ-QS-TY-01"
APPLICANT = {"name": "周小满", "gender": "female", "ethnicity": "汉族", "birth": date(2000, 5, 12),
             "education": "bachelor", "work_unit": "桃源村村民委员会"}
# When each document is dated, in days from joining (入党日期).
OFFSETS = {"application": -730, "activist_materials": -365, "political_review": -60,
           "candidate_materials": -45, "admission_form": -20, "thought_report": 180,
           "conversion_application": 330}


def pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying ``text`` (ASCII)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _file(subject: service.Subject, doc_type: str, dated_on: date) -> None:
    label = DOCUMENT_TYPES[doc_type]
    stored = files.store(current_tenant_id(), io.BytesIO(pdf(f"Demo archive: {doc_type}")),
                         f"{subject.name}_{label}.pdf")
    service.add_document(subject, {"doc_type": doc_type, "title": f"{subject.name}{label}",
                                   "dated_on": dated_on, "note": "示范数据（扫描件）"}, stored)


def _applicant(branch, today: date) -> DevelopmentPerson:
    person = db.session.scalar(select(DevelopmentPerson).where(
        DevelopmentPerson.org_id == branch.id, DevelopmentPerson.name == APPLICANT["name"]))
    if person is not None:
        return person
    birth = APPLICANT["birth"]
    first17 = f"320102{birth:%Y%m%d}998"  # 17th digit even: female
    return development.create_person(
        {"org_id": branch.id, "name": APPLICANT["name"], "gender": APPLICANT["gender"],
         "ethnicity": APPLICANT["ethnicity"], "id_number": first17 + check_char(first17),
         "education": APPLICANT["education"], "work_unit": APPLICANT["work_unit"]},
        applied_on=today - timedelta(days=10), evidence="本人递交入党申请书")


def ensure_demo_archives(today: date) -> str | None:
    """Add the demo archives once (nothing when the tenant has any archive document)."""
    if db.session.scalar(select(ArchiveDocument.id).limit(1)) is not None:
        return None
    branch = orgs.by_code(BRANCH)
    if branch is None:
        return None
    people = db.session.scalars(
        select(Member).where(Member.org_id == branch.id, Member.status.in_(("full", "probationary")))
        .order_by(Member.joined_on, Member.name, Member.id)).all()
    full = [m for m in people if m.status == "full"]
    probationary = [m for m in people if m.status == "probationary"]
    filed = 0
    plans = []
    if full:
        plans.append((full[0], DEFAULT_REQUIRED["full"] + ["thought_report"]))  # complete
    if len(full) > 1:
        plans.append((full[1], DEFAULT_REQUIRED["probationary"]))  # no 转正申请书
    if probationary:
        plans.append((probationary[0], DEFAULT_REQUIRED["candidate"]))  # no 入党志愿书
    for member, types in plans:
        subject = service.member_subject(member)
        joined = member.joined_on
        for doc_type in types:
            _file(subject, doc_type, min(today, joined + timedelta(days=OFFSETS[doc_type])))
            filed += 1
    person = _applicant(branch, today)
    db.session.flush()
    _file(service.person_subject(person), "application", today - timedelta(days=10))
    filed += 1
    db.session.flush()
    return f"{filed} archive documents of {len(plans) + 1} people (2 archives incomplete)"
