"""Bulk import tables: a job (who asked, within which scope, its counters) and its rows.

A row keeps what the file said, with the ID number sealed (never in clear) and its keyed hash
(duplicates inside the file and against registered residents); once judged, its state, and for a
rejected row the field and the reason.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class ResidentImport(Base):
    __tablename__ = "resident_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    format: Mapped[str] = mapped_column(String(8))
    principal: Mapped[str] = mapped_column(String(100))
    roles: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(18))
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    failure: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ResidentImportRow(Base):
    __tablename__ = "resident_import_rows"
    __table_args__ = (UniqueConstraint("import_id", "line", name="uq_resident_import_rows_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer, ForeignKey("resident_imports.id"),
                                           index=True)
    line: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    values: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    field: Mapped[str | None] = mapped_column(String(60), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    resident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
