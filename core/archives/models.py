"""Archive documents (党员档案材料) of members and of people in the development pipeline.

A document belongs to a member (``member_id``) or to a person in development
(``person_id``), never to neither. An applicant's documents stay on the person's row when step
17 admits them: the member's archive is the member's own documents **and** those of the
development person linked to the member (``DevelopmentPerson.member_id``), so the archive
follows the person without copying anything (:func:`core.archives.service.documents_of`).

The file is kept by :mod:`core.files` (type checked by content, size-limited, a private folder,
a stored name the uploader does not choose); the row keeps its metadata. Every document has
one file: a paper original held elsewhere is noted in ``note``.

Removal is **soft**: ``removed_at`` / ``removed_by`` / ``removal_reason`` are set and the file
is kept, because an archive is a record of what was filed: a document filed in error
disappears from the archive and from the completeness check, but stays in its history (and
in the audit log) with who removed it and why. Metadata corrections carry a ``version``
(:class:`~core.db.Versioned`): a stale one is a 409.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk


class ArchiveDocument(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "archive_documents"
    __table_args__ = (
        tenant_fk("member_id", "members"),
        tenant_fk("person_id", "development_people"),
        CheckConstraint("member_id IS NOT NULL OR person_id IS NOT NULL", name="owner"),
        Index("ix_archive_documents_tenant_member", "tenant_id", "member_id", "doc_type"),
        Index("ix_archive_documents_tenant_person", "tenant_id", "person_id", "doc_type"),
    )

    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    doc_type: Mapped[str] = mapped_column(String(40))  # a key of the tenant's document types
    title: Mapped[str] = mapped_column(String(200))
    dated_on: Mapped[date] = mapped_column(Date)  # the document's own date
    note: Mapped[str | None] = mapped_column(Text)
    stored_name: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    uploaded_by: Mapped[str] = mapped_column(String(200), default="system")
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    removal_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ArchiveDocument {self.doc_type} {self.title}>"
